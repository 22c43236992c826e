using System.Diagnostics;
using Recipes.Cache;
using Recipes.Graph;
using Recipes.Plugins;
using Recipes.Reporting;
using Recipes.Scheduling;

namespace Recipes.Execution;

/// <summary>
/// Resolves a planned graph against the cache and runs what is stale. Probing computes keys stage by stage in parallel
/// and takes every hit; execution then follows the pure scheduler (<see cref="BuildPlan"/>): the engine starts what the
/// plan offers, looks up each dependent in the cache as its inputs complete (early cutoff: identical outputs give the
/// dependent its old key) and reports every outcome back to the plan.
/// </summary>
public sealed class BuildEngine
{
    private readonly CacheStore _cache;
    private readonly CacheLookup _lookup;
    private readonly Remote.RemoteCacheClient? _remote;
    private readonly INodeExecutor _executor;
    private readonly NodeRunner _runner;

    public BuildEngine(CacheStore cache, Remote.RemoteCacheClient? remote = null, INodeExecutor? executor = null)
    {
        _cache = cache;
        _remote = remote;
        _lookup = new CacheLookup(cache, remote);
        _runner = new NodeRunner(_lookup);
        _executor = executor ?? new LocalExecutor(_runner);
    }

    public CacheStore Cache => _cache;

    /// <summary>Keys and cache hits without running anything: every node whose inputs are all known and cached.</summary>
    public NodeStates Probe(BuildGraph graph, IBuildReporter? reporter = null)
    {
        var states = new NodeStates(graph.Nodes.Count);
        IReadOnlyDictionary<string, NodeRecord> snapshot = new Dictionary<string, NodeRecord>(StringComparer.Ordinal);
        if (graph.Nodes.Count > 256)
        {
            // Three independent reads of the store, overlapped.
            var loadState = Task.Run(() => _cache.States.Load(graph.Recipe.Name, graph.Recipe.RecipePath));
            Parallel.Invoke(_cache.Blobs.LoadIndex, _cache.Actions.LoadIndex);
            snapshot = loadState.GetAwaiter().GetResult();
            states.SnapshotSize = snapshot.Count;
        }
        var start = 0;
        while (start < graph.Nodes.Count)
        {
            // Nodes are ordered stage by stage and only depend on earlier stages, so each run of one stage is independent.
            var end = start;
            while (end < graph.Nodes.Count && graph.Nodes[end].StageName == graph.Nodes[start].StageName) end++;
            if (end - start < 64 && _remote is null)
                for (var i = start; i < end; i++) TryResolve(graph.Nodes[i], states, reporter, snapshot);
            else
                // Remote lookups wait on the network, not the CPU: more of them in flight than cores.
                Parallel.For(start, end, new ParallelOptions { MaxDegreeOfParallelism = _remote is null ? Environment.ProcessorCount : 16 },
                    i => TryResolve(graph.Nodes[i], states, reporter, snapshot));
            start = end;
        }
        return states;
    }

    private bool TryResolve(GraphNode node, NodeStates states, IBuildReporter? reporter, IReadOnlyDictionary<string, NodeRecord>? snapshot = null)
    {
        foreach (var dependency in node.Dependencies)
            if (!states.IsDone(dependency.Index)) return false;
        var key = ActionKeys.Compute(node, states.Outputs);
        states.Keys[node.Index] = key;
        // The last build's snapshot saves reading the entry when the key is unchanged and still in the store.
        // The snapshot is a file in the cache like any entry, so its output names obey the same path policy.
        var recorded = snapshot is not null && snapshot.TryGetValue(node.Id, out var record) && record.Key == key.Hash && record.Outputs is not null &&
                       OutputPaths.Problem(record.Outputs) is null && _cache.Actions.Contains(key.Hash)
            ? _lookup.WithBlobs(new CachedResult(record.Outputs, record.Metrics ?? NodeMetrics.Empty))
            : null;
        if (recorded is not null) Interlocked.Increment(ref states.FromSnapshot);
        var hit = recorded ?? _lookup.Find(key.Hash);
        if (hit is null) return false;
        states.Outputs[node.Index] = hit.Outputs;
        states.Metrics[node.Index] = hit.Metrics;
        states.Status[node.Index] = NodeStatus.Cached;
        reporter?.Cached(node);
        return true;
    }

    /// <summary>Runs one node whose dependencies are resolved in <paramref name="states"/>, stores and uploads its result.</summary>
    public async Task<NodeResult> RunOneAsync(GraphNode node, NodeStates states, BuildOptions options, CancellationToken cancellationToken)
    {
        var key = ActionKeys.Compute(node, states.Outputs);
        states.Keys[node.Index] = key;
        var result = await _runner.RunAsync(NodeJob.Ready(node, key, Upstream(node, states), options.Device), cancellationToken);
        _runner.ReleaseScratch();
        states.Status[node.Index] = result.Status;
        if (result.Status is NodeStatus.Executed or NodeStatus.Cached) states.Outputs[node.Index] = result.Outputs;
        if (result.Status == NodeStatus.Executed) _remote?.EnqueueUpload(key.Hash);
        if (_remote is not null) await _remote.FlushAsync(TimeSpan.FromMinutes(2));
        return result;
    }

    /// <summary>A node started before all its inputs were done: its feed, the key it will get, and its own cancellation.</summary>
    private sealed record Speculation(UpstreamFeed Feed, TaskCompletionSource<ActionKey> Key, CancellationTokenSource Cancel);

    public async Task<BuildResult> BuildAsync(BuildGraph graph, BuildOptions options, IBuildReporter reporter, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        reporter.Planned(graph);
        var states = Probe(graph, reporter);
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
            foreach (var index in update.KeysKnown)
            {
                var key = ActionKeys.Compute(nodes[index], states.Outputs);
                states.Keys[index] = key;
                speculations[index].Key.TrySetResult(key);
            }
            foreach (var index in update.Skipped) Skip(nodes[index]);
            foreach (var index in update.Resolvable)
            {
                var hit = TryResolve(nodes[index], states, reporter);
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
                    early.Feed.Complete(dependent.Dependencies.IndexOf(node), ArtifactsOf(node, states));
        }

        void Skip(GraphNode node)
        {
            var failed = node.Dependencies.FirstOrDefault(d => states.Status[d.Index] is NodeStatus.Failed or NodeStatus.Skipped);
            states.Status[node.Index] = NodeStatus.Skipped;
            states.Messages[node.Index] = failed is null ? "upstream failed" :
                states.Status[failed.Index] == NodeStatus.Failed ? $"upstream {failed.Id} failed" : states.Messages[failed.Index];
            if (speculations.TryGetValue(node.Index, out var early))
            {
                early.Cancel.Cancel();
                early.Feed.Fail(states.Messages[node.Index]!);
            }
            reporter.Skipped(node, states.Messages[node.Index]!);
        }

        Task<NodeResult> Launch(PlanLaunch launch)
        {
            var node = nodes[launch.Index];
            reporter.Started(node);
            var progress = new Progress<double>(f => reporter.Progress(node, f));
            if (!launch.Early)
            {
                var key = states.Keys[node.Index]!;
                if (inFlight.TryGetValue(key.Hash, out var first)) return SameKeyAsync(first, node, key, progress);
                var task = _executor.RunAsync(NodeJob.Ready(node, key, Upstream(node, states), options.Device, progress), linked.Token);
                inFlight[key.Hash] = task;
                return task;
            }
            var feed = new UpstreamFeed(node.Dependencies.Count);
            for (var i = 0; i < node.Dependencies.Count; i++)
                if (states.IsDone(node.Dependencies[i].Index)) feed.Complete(i, ArtifactsOf(node.Dependencies[i], states));
            var early = new Speculation(feed, new TaskCompletionSource<ActionKey>(TaskCreationOptions.RunContinuationsAsynchronously),
                CancellationTokenSource.CreateLinkedTokenSource(linked.Token));
            speculations[node.Index] = early;
            return _executor.RunAsync(new NodeJob(node, early.Key.Task, null, feed, options.Device, progress), early.Cancel.Token);
        }

        // The entry the first node of a key stored, as a cache hit; where it stored none (it failed or was cancelled),
        // this node runs itself, so its own failure is reported under its own name.
        async Task<NodeResult> SameKeyAsync(Task<NodeResult> first, GraphNode node, ActionKey key, IProgress<double> progress)
        {
            var clock = Stopwatch.StartNew();
            await first.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (_lookup.FindLocal(key.Hash) is { } hit)
                return new NodeResult(NodeStatus.Cached, hit.Outputs, clock.Elapsed.TotalSeconds, null, null, hit.Metrics.ToObject());
            return await _executor.RunAsync(NodeJob.Ready(node, key, Upstream(node, states), options.Device, progress), linked.Token);
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
            states.Seconds[finished.Index] = result.Seconds;
            if (plan.StateOf(finished.Index) == PlanState.Skipped)
            {
                plan.NodeCancelled(finished.Index);
                continue;
            }
            switch (result.Status)
            {
                case NodeStatus.Executed or NodeStatus.Cached:
                    states.Status[finished.Index] = result.Status;
                    states.Outputs[finished.Index] = result.Outputs;
                    states.Metrics[finished.Index] = NodeMetrics.FromObject(result.Metrics);
                    if (result.Status == NodeStatus.Cached) reporter.Cached(finished);
                    else
                    {
                        reporter.Finished(finished, result);
                        _remote?.EnqueueUpload(states.HashOf(finished.Index)!);
                    }
                    Feed(finished);
                    Apply(plan.NodeFinished(finished.Index));
                    break;
                case NodeStatus.Failed:
                    states.Status[finished.Index] = NodeStatus.Failed;
                    states.Messages[finished.Index] = result.Error;
                    reporter.Failed(finished, result);
                    Apply(plan.NodeFailed(finished.Index));
                    break;
                default:
                    states.Status[finished.Index] = NodeStatus.Cancelled;
                    states.Messages[finished.Index] = result.Error;
                    plan.NodeCancelled(finished.Index);
                    break;
            }
        }

        var interrupted = cancellationToken.IsCancellationRequested;
        await _executor.FinishAsync(interrupted);
        _runner.ReleaseScratch();
        SaveState(graph, states);
        if (_remote is not null) await _remote.FlushAsync(interrupted ? TimeSpan.FromSeconds(5) : TimeSpan.FromMinutes(2));
        var summary = Summarize(graph, states, clock.Elapsed.TotalSeconds, interrupted) with { Remote = _remote?.Stats };
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
    }

    /// <summary>What a node reads: the base-case files for a first-stage node, else its dependencies' outputs in order.</summary>
    public IReadOnlyList<UpstreamArtifacts> Upstream(GraphNode node, NodeStates states)
    {
        var upstream = new List<UpstreamArtifacts>(node.Dependencies.Count + 1);
        // Files from outside the cache (a base case's templates, an exec trainer's scripts) come first, as one entry.
        if (node.Files.Count > 0 || node.Dependencies.Count == 0)
            upstream.Add(new UpstreamArtifacts(BaseCaseEntry, BaseCaseEntry, node.Sample?.Index, node.Sample?.Id,
                node.Sample?.Parameters ?? ValueMap.Empty,
                node.Files.Select(f => new Artifact(f.Name, f.FullPath, f.Hash)).ToList()));
        upstream.AddRange(node.Dependencies.Select(d => ArtifactsOf(d, states)));
        return upstream;
    }

    /// <summary>The stage name of the upstream entry that holds a node's files from outside the cache.</summary>
    public const string BaseCaseEntry = UpstreamArtifacts.FilesEntry;

    private UpstreamArtifacts ArtifactsOf(GraphNode dependency, NodeStates states) =>
        new(dependency.Id, dependency.StageName, dependency.Sample?.Index, dependency.Sample?.Id,
            dependency.Sample?.Parameters ?? ValueMap.Empty,
            (states.Outputs[dependency.Index] ?? []).Select(o => new Artifact(o.Name, _cache.Blobs.PathOf(o.Hash), o.Hash)).ToList());

    private void SaveState(BuildGraph graph, NodeStates states)
    {
        // A no-op: every node came whole from the snapshot and the snapshot held nothing else.
        if (graph.Nodes.Count > 0 && states.FromSnapshot == graph.Nodes.Count && states.SnapshotSize == graph.Nodes.Count)
        {
            _cache.States.MarkUsed(graph.Recipe.Name, graph.Recipe.RecipePath);
            return;
        }
        // Only a build that left nodes unresolved needs the previous records, to keep explaining them.
        var complete = graph.Nodes.All(n => states.Status[n.Index] is NodeStatus.Cached or NodeStatus.Executed);
        // A part of the recipe (build --target) keeps the records of the rest, so status still explains those nodes.
        var previous = complete && !graph.IsPart ? new Dictionary<string, NodeRecord>() : _cache.States.Load(graph.Recipe.Name, graph.Recipe.RecipePath);
        var records = new List<NodeRecord>(graph.Nodes.Count);
        foreach (var node in graph.Nodes)
        {
            var i = node.Index;
            switch (states.Status[i])
            {
                case NodeStatus.Cached or NodeStatus.Executed:
                    records.Add(new NodeRecord(node.Id, states.HashOf(i)!, false, "") { Outputs = states.Outputs[i], Metrics = states.Metrics[i] });
                    break;
                case NodeStatus.Failed:
                    records.Add(new NodeRecord(node.Id, states.HashOf(i)!, true, states.Messages[i] ?? "failed"));
                    break;
                default:
                    if (previous.TryGetValue(node.Id, out var old)) records.Add(old);
                    break;
            }
        }
        if (graph.IsPart)
            records.AddRange(previous.Values.Where(r => graph.Find(r.NodeId) is null));
        _cache.States.Save(graph.Recipe.Name, graph.Recipe.RecipePath, records);
    }

    public static BuildSummary Summarize(BuildGraph graph, NodeStates states, double seconds, bool interrupted)
    {
        // One pass over the nodes, counted per stage in the order stages first appear.
        var counts = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (!counts.TryGetValue(node.StageName, out var c)) counts[node.StageName] = c = new int[5];
            c[0]++;
            c[states.Status[node.Index] switch
            {
                NodeStatus.Executed => 1,
                NodeStatus.Cached => 2,
                NodeStatus.Failed => 3,
                _ => 4,
            }]++;
        }
        var stages = counts.ToDictionary(p => p.Key, p => new StageCounts(p.Value[0], p.Value[1], p.Value[2], p.Value[3], p.Value[4]));
        return new BuildSummary(
            graph.Nodes.Count,
            stages.Values.Sum(s => s.Executed),
            stages.Values.Sum(s => s.Cached),
            stages.Values.Sum(s => s.Failed),
            stages.Values.Sum(s => s.Skipped),
            seconds,
            interrupted) { Stages = stages };
    }
}
