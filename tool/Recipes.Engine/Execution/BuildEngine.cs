using System.Diagnostics;
using Recipes.Cache;
using Recipes.Graph;
using Recipes.Plugins;
using Recipes.Reporting;

namespace Recipes.Execution;

/// <summary>
/// Resolves a planned graph against the cache and runs what is stale. Probing computes keys stage by stage in parallel
/// and takes every hit; execution then runs stale nodes under the resource limits, re-probing each dependent as its
/// inputs complete, which is where early cutoff happens: identical outputs give the dependent its old key.
/// </summary>
public sealed class BuildEngine
{
    private readonly CacheStore _cache;
    private readonly NodeRunner _runner;
    private readonly Remote.RemoteCacheClient? _remote;
    private readonly INodeExecutor _executor;

    public BuildEngine(CacheStore cache, Remote.RemoteCacheClient? remote = null, INodeExecutor? executor = null)
    {
        _cache = cache;
        _runner = new NodeRunner(cache);
        _remote = remote;
        _executor = executor ?? new LocalExecutor(cache);
    }

    public CacheStore Cache => _cache;

    /// <summary>Keys and cache hits without running anything: every node whose inputs are all known and cached.</summary>
    public NodeStates Probe(BuildGraph graph, IBuildReporter? reporter = null)
    {
        var states = new NodeStates(graph.Nodes.Count);
        var snapshot = new Dictionary<string, NodeRecord>(StringComparer.Ordinal);
        if (graph.Nodes.Count > 256)
        {
            // Three independent reads of the store, overlapped.
            var loadState = Task.Run(() => _cache.States.Load(graph.Recipe.Name, graph.Recipe.RecipePath));
            Parallel.Invoke(_cache.Blobs.LoadIndex, _cache.Actions.LoadIndex);
            snapshot = loadState.GetAwaiter().GetResult();
        }
        var start = 0;
        while (start < graph.Nodes.Count)
        {
            // Nodes are ordered stage by stage and only depend on earlier stages, so each run of one stage is independent.
            var end = start;
            while (end < graph.Nodes.Count && graph.Nodes[end].StageName == graph.Nodes[start].StageName) end++;
            var from = start;
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

    private bool TryResolve(GraphNode node, NodeStates states, IBuildReporter? reporter, Dictionary<string, NodeRecord>? snapshot = null)
    {
        foreach (var dependency in node.Dependencies)
            if (!states.IsDone(dependency.Index)) return false;
        var (key, inputs) = ActionKeys.Compute(node, states.Outputs);
        states.Keys[node.Index] = key;
        states.Inputs[node.Index] = inputs;
        // The last build's snapshot saves reading the entry when the key is unchanged and still in the store.
        // The snapshot is a file in the cache like any entry, so its output names obey the same path policy.
        var hit = snapshot is not null && snapshot.TryGetValue(node.Id, out var record) && record.Key == key && record.Outputs is not null &&
                  OutputPaths.Problem(record.Outputs) is null && _cache.Actions.Contains(key)
            ? new CachedResult(record.Outputs, record.MetricsJson ?? "{}")
            : _cache.Actions.TryGetOutputs(key);
        if (hit is not null && !hit.Outputs.All(o => _cache.Blobs.Contains(o.Hash))) hit = null;
        hit ??= _remote?.TryFetch(key);
        if (hit is null) return false;
        states.Outputs[node.Index] = hit.Outputs;
        states.Metrics[node.Index] = hit.MetricsJson;
        states.Status[node.Index] = NodeStatus.Cached;
        reporter?.Cached(node);
        return true;
    }

    /// <summary>Runs one node whose dependencies are resolved in <paramref name="states"/>, stores and uploads its result.</summary>
    public async Task<NodeResult> RunOneAsync(GraphNode node, NodeStates states, BuildOptions options, CancellationToken cancellationToken)
    {
        var (key, inputs) = ActionKeys.Compute(node, states.Outputs);
        states.Keys[node.Index] = key;
        states.Inputs[node.Index] = inputs;
        var result = await _runner.RunAsync(node, Task.FromResult((key, inputs)), states, options, null, null, cancellationToken);
        states.Status[node.Index] = result.Status;
        if (result.Status is NodeStatus.Executed or NodeStatus.Cached) states.Outputs[node.Index] = result.Outputs;
        if (result.Status == NodeStatus.Executed) _remote?.EnqueueUpload(key);
        if (_remote is not null) await _remote.FlushAsync(TimeSpan.FromMinutes(2));
        return result;
    }

    /// <summary>A node started before all its inputs were done: its feed, the key it will get, and its own cancellation.</summary>
    private sealed record Speculation(UpstreamFeed Feed, TaskCompletionSource<(string, List<KeyValuePair<string, string>>)> Key, CancellationTokenSource Cancel);

    public async Task<BuildResult> BuildAsync(BuildGraph graph, BuildOptions options, IBuildReporter reporter, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        reporter.Planned(graph);
        var states = Probe(graph, reporter);
        var nodes = graph.Nodes;
        var pending = new int[nodes.Count];
        var ready = new SortedSet<(long Priority, int Index)>();
        var speculations = new Dictionary<int, Speculation>();
        var started = new bool[nodes.Count];
        // Starting a node early only pays when another slot is left for the work it waits on.
        var speculate = options.Jobs > 1 && _executor.SupportsStreaming;

        void Enqueue(GraphNode node)
        {
            if (ready.Add((Priority(node), node.Index))) reporter.Queued(node);
        }

        foreach (var node in nodes)
        {
            if (states.Status[node.Index] == NodeStatus.Cached) continue;
            pending[node.Index] = node.Dependencies.Count(d => !states.IsDone(d.Index));
            if (pending[node.Index] == 0 || (speculate && node.Streaming && pending[node.Index] < node.Dependencies.Count))
                Enqueue(node);
        }

        var freeThreads = Math.Max(1, options.Jobs);
        // Locally a few thousand ready nodes more than fill the slots; a cluster executor takes every ready node at once.
        var scanLimit = options.Jobs > 4096 ? int.MaxValue : 4096;
        var freeGpus = Math.Max(0, options.Gpus);
        var running = new Dictionary<Task<NodeResult>, (GraphNode Node, int Threads, int Gpus)>();
        var stopLaunching = false;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        void Complete(GraphNode node)
        {
            foreach (var dependent in node.Dependents)
            {
                if (states.Status[dependent.Index] != NodeStatus.Pending) continue;
                if (speculations.TryGetValue(dependent.Index, out var early))
                    early.Feed.Complete(dependent.Dependencies.IndexOf(node), _runner.ArtifactsOf(node, states));
                if (--pending[dependent.Index] > 0)
                {
                    if (speculate && dependent.Streaming && !started[dependent.Index]) Enqueue(dependent);
                    continue;
                }
                if (early is not null)
                {
                    var (key, inputs) = ActionKeys.Compute(dependent, states.Outputs);
                    states.Keys[dependent.Index] = key;
                    states.Inputs[dependent.Index] = inputs;
                    early.Key.TrySetResult((key, inputs));
                }
                else if (TryResolve(dependent, states, reporter))
                {
                    ready.Remove((Priority(dependent), dependent.Index));
                    Complete(dependent);
                }
                else Enqueue(dependent);
            }
        }

        void SkipDownstream(GraphNode failed)
        {
            var queue = new Queue<GraphNode>(failed.Dependents);
            while (queue.Count > 0)
            {
                var node = queue.Dequeue();
                if (states.Status[node.Index] != NodeStatus.Pending) continue;
                states.Status[node.Index] = NodeStatus.Skipped;
                states.Messages[node.Index] = $"upstream {failed.Id} failed";
                ready.Remove((Priority(node), node.Index));
                if (speculations.TryGetValue(node.Index, out var early))
                {
                    early.Cancel.Cancel();
                    early.Feed.Fail(states.Messages[node.Index]!);
                }
                reporter.Skipped(node, states.Messages[node.Index]!);
                foreach (var next in node.Dependents) queue.Enqueue(next);
            }
        }

        Task<NodeResult> Launch(GraphNode node)
        {
            started[node.Index] = true;
            reporter.Started(node);
            var progress = new Progress<double>(f => reporter.Progress(node, f));
            if (pending[node.Index] == 0)
                return _executor.RunAsync(node, Task.FromResult((states.Keys[node.Index]!, states.Inputs[node.Index]!)), states, options, progress, null, linked.Token);
            var feed = new UpstreamFeed(node.Dependencies.Count);
            for (var i = 0; i < node.Dependencies.Count; i++)
                if (states.IsDone(node.Dependencies[i].Index)) feed.Complete(i, _runner.ArtifactsOf(node.Dependencies[i], states));
            var early = new Speculation(feed, new TaskCompletionSource<(string, List<KeyValuePair<string, string>>)>(TaskCreationOptions.RunContinuationsAsynchronously),
                CancellationTokenSource.CreateLinkedTokenSource(linked.Token));
            speculations[node.Index] = early;
            return _executor.RunAsync(node, early.Key.Task, states, options, progress, feed, early.Cancel.Token);
        }

        while (true)
        {
            if (!stopLaunching && !cancellationToken.IsCancellationRequested)
            {
                var toStart = new List<((long Priority, int Index) Item, int Threads, int Gpus)>();
                var scanned = 0;
                foreach (var item in ready)
                {
                    if (freeThreads == 0 || ++scanned > scanLimit) break;
                    var node = nodes[item.Index];
                    var threads = Math.Min(node.Resources.Threads, options.Jobs);
                    // A node started early leaves a slot for the upstream work it waits on.
                    if (pending[node.Index] > 0) threads = Math.Max(1, Math.Min(threads, options.Jobs - 1));
                    var gpus = Math.Min(node.Resources.Gpus, options.Gpus);
                    if (threads > freeThreads || gpus > freeGpus) continue;
                    freeThreads -= threads;
                    freeGpus -= gpus;
                    toStart.Add((item, threads, gpus));
                }
                foreach (var (item, threads, gpus) in toStart)
                {
                    ready.Remove(item);
                    var node = nodes[item.Index];
                    running[Launch(node)] = (node, threads, gpus);
                }
            }
            if (running.Count == 0) break;

            var done = await Task.WhenAny(running.Keys);
            var (finished, heldThreads, heldGpus) = running[done];
            running.Remove(done);
            freeThreads += heldThreads;
            freeGpus += heldGpus;
            var result = await done;
            speculations.Remove(finished.Index, out var speculation);
            speculation?.Cancel.Dispose();
            states.Seconds[finished.Index] = result.Seconds;
            if (states.Status[finished.Index] == NodeStatus.Skipped) continue;
            switch (result.Status)
            {
                case NodeStatus.Executed or NodeStatus.Cached:
                    states.Status[finished.Index] = result.Status;
                    states.Outputs[finished.Index] = result.Outputs;
                    states.Metrics[finished.Index] = result.Metrics.ToJsonString();
                    if (result.Status == NodeStatus.Cached) reporter.Cached(finished);
                    else
                    {
                        reporter.Finished(finished, result);
                        _remote?.EnqueueUpload(states.Keys[finished.Index]!);
                    }
                    Complete(finished);
                    break;
                case NodeStatus.Failed:
                    states.Status[finished.Index] = NodeStatus.Failed;
                    states.Messages[finished.Index] = result.Error;
                    reporter.Failed(finished, result);
                    SkipDownstream(finished);
                    if (!options.KeepGoing) stopLaunching = true;
                    break;
                default:
                    states.Status[finished.Index] = NodeStatus.Cancelled;
                    states.Messages[finished.Index] = result.Error;
                    break;
            }
        }

        var interrupted = cancellationToken.IsCancellationRequested;
        await _executor.FinishAsync(interrupted);
        SaveState(graph, states);
        if (_remote is not null) await _remote.FlushAsync(interrupted ? TimeSpan.FromSeconds(5) : TimeSpan.FromMinutes(2));
        var summary = Summarize(graph, states, clock.Elapsed.TotalSeconds, interrupted) with { Remote = _remote?.Stats };
        return new BuildResult(graph, states, summary);
    }

    /// <summary>
    /// Depth first per sample, so whole samples (and so shards) finish early and feed later stages sooner; a node that
    /// streams its inputs (online training) goes first, so it runs beside the work it waits on rather than after it.
    /// </summary>
    private static long Priority(GraphNode node)
    {
        if (node.Streaming) return -1;
        var order = StageNames.All.ToList().IndexOf(node.StageName);
        var position = node.Sample?.Index ?? (node.Dependencies.Count > 0 ? node.Dependencies.Max(d => d.Sample?.Index ?? 0) + 1 : 0);
        if (node.Sample is null && node.Shard is null) position = int.MaxValue;
        return ((long)position << 8) | (long)order;
    }

    private void SaveState(BuildGraph graph, NodeStates states)
    {
        // Only a build that left nodes unresolved needs the previous records, to keep explaining them.
        var complete = graph.Nodes.All(n => states.Status[n.Index] is NodeStatus.Cached or NodeStatus.Executed);
        var previous = complete ? [] : _cache.States.Load(graph.Recipe.Name, graph.Recipe.RecipePath);
        var records = new List<NodeRecord>(graph.Nodes.Count);
        foreach (var node in graph.Nodes)
        {
            var i = node.Index;
            switch (states.Status[i])
            {
                case NodeStatus.Cached or NodeStatus.Executed:
                    records.Add(new NodeRecord(node.Id, states.Keys[i]!, false, "") { Outputs = states.Outputs[i], MetricsJson = states.Metrics[i] });
                    break;
                case NodeStatus.Failed:
                    records.Add(new NodeRecord(node.Id, states.Keys[i]!, true, states.Messages[i] ?? "failed"));
                    break;
                default:
                    if (previous.TryGetValue(node.Id, out var old)) records.Add(old);
                    break;
            }
        }
        _cache.States.Save(graph.Recipe.Name, graph.Recipe.RecipePath, records);
    }

    public static BuildSummary Summarize(BuildGraph graph, NodeStates states, double seconds, bool interrupted)
    {
        var stages = graph.ByStage().ToDictionary(g => g.Key, g => new StageCounts(
            g.Count(),
            g.Count(n => states.Status[n.Index] == NodeStatus.Executed),
            g.Count(n => states.Status[n.Index] == NodeStatus.Cached),
            g.Count(n => states.Status[n.Index] == NodeStatus.Failed),
            g.Count(n => states.Status[n.Index] is NodeStatus.Skipped or NodeStatus.Pending or NodeStatus.Cancelled)));
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
