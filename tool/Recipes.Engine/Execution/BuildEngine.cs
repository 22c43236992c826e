using System.Diagnostics;
using Recipes.Cache;
using Recipes.Graph;
using Recipes.Plugins;
using Recipes.Reporting;
using Recipes.Scheduling;

namespace Recipes.Execution;

/// <summary>
/// The build loop: connects the pure scheduler (<see cref="BuildPlan"/>) to the executor and the reporter. Everything
/// about the cache — keys, hits, what a node reads, each node's recorded outcome, the saved build state — is the
/// <see cref="CacheScan"/>'s; this loop starts what the plan offers, asks the scan to resolve each dependent as its
/// inputs complete (early cutoff: identical outputs give the dependent its old key), records every outcome through the
/// scan and reports it back to the plan. <c>--jobs</c> is enforced in one place, the plan's slots: a node that asks for
/// more threads than there are slots is granted all of them, and the node is told what it was granted.
/// </summary>
public sealed class BuildEngine
{
    private readonly CacheScan _scan;
    private readonly Remote.RemoteCacheClient? _remote;
    private readonly INodeExecutor _executor;
    private readonly NodeRunner _runner;

    public BuildEngine(CacheStore cache, Remote.RemoteCacheClient? remote = null, INodeExecutor? executor = null)
    {
        _remote = remote;
        _scan = new CacheScan(cache, remote);
        _runner = new NodeRunner(_scan.Lookup);
        _executor = executor ?? new LocalExecutor(_runner);
    }

    public CacheStore Cache => _scan.Cache;

    /// <summary>The cache side of this engine's builds.</summary>
    public CacheScan Scan => _scan;

    /// <summary>Runs one node whose dependencies are resolved in <paramref name="states"/>, stores and uploads its result.</summary>
    public async Task<NodeResult> RunOneAsync(GraphNode node, NodeStates states, BuildOptions options, CancellationToken cancellationToken)
    {
        var key = _scan.KeyOf(node, states);
        var result = await _runner.RunAsync(NodeJob.Ready(node, key, _scan.Upstream(node, states), options.Device, node.Resources.Threads), cancellationToken);
        _runner.ReleaseScratch();
        _scan.Record(node, states, result);
        if (_remote is not null) await _remote.FlushAsync(TimeSpan.FromMinutes(2));
        Cache.Actions.CloseWriter();
        return result;
    }

    /// <summary>A node started before all its inputs were done: its feed, the key it will get, and its own cancellation.</summary>
    private sealed record Speculation(UpstreamFeed Feed, TaskCompletionSource<ActionKey> Key, CancellationTokenSource Cancel);

    public async Task<BuildResult> BuildAsync(BuildGraph graph, BuildOptions options, IBuildReporter reporter, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        reporter.Planned(graph);
        var states = _scan.Probe(graph, reporter);
        var nodes = graph.Nodes;
        var plan = nodes.All(n => states.IsDone(n.Index)) ? null : new BuildPlan(PlanNodes(graph), new PlanSlots(options.Jobs, options.Gpus, options.KeepGoing, _executor.SupportsStreaming),
            nodes.Select(n => states.IsDone(n.Index)).ToArray());
        var speculations = new Dictionary<int, Speculation>();
        var running = new Dictionary<Task<NodeResult>, GraphNode>();
        // Two nodes with one key (two targets with the same settings, say) are one action, as in Bazel: the second
        // waits for the first and takes its entry rather than training the same model again beside it.
        var inFlight = new Dictionary<string, Task<NodeResult>>(StringComparer.Ordinal);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // The plan's answers turned into I/O: cache lookups for nodes whose inputs completed, keys for early nodes,
        // skip records and the cancellation of early nodes whose input failed.
        void Apply(PlanUpdate update)
        {
            foreach (var index in update.Queued) reporter.Queued(nodes[index]);
            foreach (var index in update.KeysKnown) speculations[index].Key.TrySetResult(_scan.KeyOf(nodes[index], states));
            foreach (var index in update.Skipped) Skip(nodes[index]);
            foreach (var index in update.Resolvable)
            {
                var hit = _scan.TryResolve(nodes[index], states, reporter);
                var next = plan!.Resolved(index, hit);
                if (hit) Feed(nodes[index]);
                Apply(next);
            }
        }

        // A finished node's outputs go to the dependents that started early and wait for them.
        void Feed(GraphNode node)
        {
            foreach (var dependent in node.Dependents)
                if (speculations.TryGetValue(dependent.Index, out var early))
                    early.Feed.Complete(dependent.Dependencies.IndexOf(node), _scan.ArtifactsOf(node, states));
        }

        void Skip(GraphNode node)
        {
            var message = _scan.Skip(node, states);
            if (speculations.TryGetValue(node.Index, out var early))
            {
                early.Cancel.Cancel();
                early.Feed.Fail(message);
            }
            reporter.Skipped(node, message);
        }

        Task<NodeResult> Launch(PlanLaunch launch)
        {
            var node = nodes[launch.Index];
            reporter.Started(node);
            var progress = new Progress<double>(f => reporter.Progress(node, f));
            if (!launch.Early)
            {
                var key = states.KeyOf(node)!;
                if (inFlight.TryGetValue(key.Hash, out var first)) return SameKeyAsync(first, node, key, launch.Threads, progress);
                var task = _executor.RunAsync(NodeJob.Ready(node, key, _scan.Upstream(node, states), options.Device, launch.Threads, progress), linked.Token);
                inFlight[key.Hash] = task;
                return task;
            }
            var feed = new UpstreamFeed(node.Dependencies.Count);
            for (var i = 0; i < node.Dependencies.Count; i++)
                if (states.IsDone(node.Dependencies[i].Index)) feed.Complete(i, _scan.ArtifactsOf(node.Dependencies[i], states));
            var early = new Speculation(feed, new TaskCompletionSource<ActionKey>(TaskCreationOptions.RunContinuationsAsynchronously),
                CancellationTokenSource.CreateLinkedTokenSource(linked.Token));
            speculations[node.Index] = early;
            return _executor.RunAsync(new NodeJob(node, early.Key.Task, null, feed, options.Device, launch.Threads, progress), early.Cancel.Token);
        }

        // The entry the first node of a key stored, as a cache hit; where it stored none (it failed or was cancelled),
        // this node runs itself, so its own failure is reported under its own name.
        async Task<NodeResult> SameKeyAsync(Task<NodeResult> first, GraphNode node, ActionKey key, int threads, IProgress<double> progress)
        {
            var clock = Stopwatch.StartNew();
            await first.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (_scan.Lookup.FindLocal(key.Hash) is { } hit)
                return new NodeResult(NodeStatus.Cached, hit.Outputs, clock.Elapsed.TotalSeconds, null, null, hit.Metrics.ToObject());
            return await _executor.RunAsync(NodeJob.Ready(node, key, _scan.Upstream(node, states), options.Device, threads, progress), linked.Token);
        }

        // A build whose every node is cached needs no plan.
        if (plan is not null) Apply(plan.Initial);
        while (plan is not null)
        {
            if (cancellationToken.IsCancellationRequested) plan.StopLaunching();
            while (plan.NextToStart() is { } launch) running[Launch(launch)] = nodes[launch.Index];
            if (running.Count == 0) break;

            var done = await Task.WhenAny(running.Keys);
            running.Remove(done, out var finished);
            var result = await done;
            speculations.Remove(finished!.Index, out var speculation);
            speculation?.Cancel.Dispose();
            // A node the plan skipped while it ran (an input failed) keeps its skip record; the plan frees its slots.
            if (plan.StateOf(finished.Index) == PlanState.Skipped)
            {
                states.Seconds[finished.Index] = result.Seconds;
                plan.NodeCancelled(finished.Index);
                continue;
            }
            _scan.Record(finished, states, result);
            switch (result.Status)
            {
                case NodeStatus.Executed or NodeStatus.Cached:
                    if (result.Status == NodeStatus.Cached) reporter.Cached(finished);
                    else reporter.Finished(finished, result);
                    Feed(finished);
                    Apply(plan.NodeFinished(finished.Index));
                    break;
                case NodeStatus.Failed:
                    reporter.Failed(finished, result);
                    Apply(plan.NodeFailed(finished.Index));
                    break;
                default:
                    plan.NodeCancelled(finished.Index);
                    break;
            }
        }

        var interrupted = cancellationToken.IsCancellationRequested;
        await _executor.FinishAsync(interrupted);
        _runner.ReleaseScratch();
        _scan.Save(graph, states);
        if (_remote is not null) await _remote.FlushAsync(interrupted ? TimeSpan.FromSeconds(5) : TimeSpan.FromMinutes(2));
        Cache.Actions.CloseWriter();
        var summary = BuildSummary.Of(graph, states, clock.Elapsed.TotalSeconds, interrupted) with { Remote = _remote?.Stats };
        return new BuildResult(graph, states, summary);
    }

    /// <summary>The scheduler's view of the graph: dependencies, slots wanted, priority, streaming.</summary>
    public static IReadOnlyList<PlanNode> PlanNodes(BuildGraph graph) =>
        graph.Nodes.Select(n => new PlanNode(n.Dependencies.Select(d => d.Index).ToArray(), n.Resources.Threads, n.Resources.Gpus, Priority(n), n.Streaming)).ToList();

    /// <summary>
    /// Depth first per sample, so whole samples (and so shards) finish early and feed later stages sooner; a node that
    /// streams its inputs (online training) goes first, so it runs beside the work it waits on rather than after it.
    /// </summary>
    private static long Priority(GraphNode node)
    {
        if (node.Streaming) return -1;
        var order = (int)StageNames.KindOf(node.StageName);
        var position = node.Sample?.Index ?? (node.Dependencies.Count > 0 ? node.Dependencies.Max(d => d.Sample?.Index ?? 0) + 1 : 0);
        if (node.Sample is null && node.Shard is null) position = int.MaxValue;
        return ((long)position << 8) | (long)order;
    }}
