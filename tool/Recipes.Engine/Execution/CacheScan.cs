using Recipes.Cache;
using Recipes.Graph;
using Recipes.Plugins;
using Recipes.Remote;
using Recipes.Reporting;

namespace Recipes.Execution;

/// <summary>
/// The cache side of a build, as ninja separates its scan from its build loop: keys, cache hits (the last build's
/// snapshot first, then the action cache, then the remote), what a node reads (its upstream inputs), the recording of
/// each node's outcome and the build state saved at the end. It owns the node states: the build loop
/// (<see cref="BuildEngine"/>) only connects the plan, the executor and the reporter, and records outcomes through
/// here. <c>status</c>, <c>why</c>, <c>report</c> and the cache commands probe with this alone, without an engine.
/// </summary>
public sealed class CacheScan
{
    private readonly CacheStore _cache;
    private readonly RemoteCacheClient? _remote;

    public CacheScan(CacheStore cache, RemoteCacheClient? remote = null)
    {
        _cache = cache;
        _remote = remote;
        Lookup = new CacheLookup(cache, remote);
    }

    public CacheStore Cache => _cache;

    /// <summary>The one answer to "is this key done?", shared with the node runner.</summary>
    public CacheLookup Lookup { get; }

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

    /// <summary>Takes a node from the cache when its inputs are all done and its key is stored; false otherwise.</summary>
    public bool TryResolve(GraphNode node, NodeStates states, IBuildReporter? reporter, IReadOnlyDictionary<string, NodeRecord>? snapshot = null)
    {
        foreach (var dependency in node.Dependencies)
            if (!states.IsDone(dependency.Index)) return false;
        // The last build's snapshot saves reading the entry when the key is unchanged and still in the store.
        // The snapshot is a file in the cache like any entry, so its output names obey the same path policy.
        // A node found there keeps the record's key and id text instead of copies of its own.
        var record = snapshot is null ? null : RecordOf(node, snapshot);
        var hash = ActionKeys.HashOf(node, states.Outputs, record?.Key);
        states.Keyed(node.Index, hash);
        if (record is not null && record.Key == hash && record.Outputs is { } outputs && OutputPaths.Problem(outputs) is null &&
            _cache.Actions.Contains(hash) && Lookup.HasBlobs(outputs))
        {
            states.Outputs[node.Index] = outputs;
            states.Metrics[node.Index] = record.Metrics ?? NodeMetrics.Empty;
            states.Status[node.Index] = NodeStatus.Cached;
            Interlocked.Increment(ref states.FromSnapshot);
            node.ShareId(record.NodeId);
            reporter?.Cached(node);
            return true;
        }
        var hit = Lookup.Find(hash);
        if (hit is null) return false;
        states.Outputs[node.Index] = hit.Outputs;
        states.Metrics[node.Index] = hit.Metrics;
        states.Status[node.Index] = NodeStatus.Cached;
        reporter?.Cached(node);
        return true;
    }

    /// <summary>
    /// The node's record in the snapshot, looked up by the id's text without making the id a string (the snapshot's
    /// dictionaries compare ordinally and so take spans): a node found keeps the record's copy of the text.
    /// </summary>
    private static NodeRecord? RecordOf(GraphNode node, IReadOnlyDictionary<string, NodeRecord> snapshot)
    {
        Span<char> text = stackalloc char[256];
        if (snapshot is Dictionary<string, NodeRecord> records && records.TryGetAlternateLookup<ReadOnlySpan<char>>(out var bySpan) &&
            node.TryWriteId(text, out var length))
            return bySpan.TryGetValue(text[..length], out var found) ? found : null;
        return snapshot.GetValueOrDefault(node.Id);
    }

    /// <summary>A node's key from its dependencies' outputs (all done), recorded in the states.</summary>
    public ActionKey KeyOf(GraphNode node, NodeStates states, string? expected = null)
    {
        var key = ActionKeys.Compute(node, states.Outputs, expected);
        states.Keyed(node.Index, key.Hash);
        return key;
    }

    /// <summary>A run's outcome, recorded: outputs and metrics of a node that executed or was found cached meanwhile, the message of one that did not.</summary>
    public void Record(GraphNode node, NodeStates states, NodeResult result)
    {
        var i = node.Index;
        states.Seconds[i] = result.Seconds;
        switch (result.Status)
        {
            case NodeStatus.Executed or NodeStatus.Cached:
                states.Status[i] = result.Status;
                states.Outputs[i] = result.Outputs;
                states.Metrics[i] = NodeMetrics.FromObject(result.Metrics);
                if (result.Status == NodeStatus.Executed) _remote?.EnqueueUpload(states.HashOf(i)!);
                break;
            case NodeStatus.Failed:
                states.Status[i] = NodeStatus.Failed;
                states.Messages[i] = result.Error;
                break;
            default:
                states.Status[i] = NodeStatus.Cancelled;
                states.Messages[i] = result.Error;
                break;
        }
    }

    /// <summary>Records a node skipped because an input failed, naming the first failed input; returns the message.</summary>
    public string Skip(GraphNode node, NodeStates states)
    {
        var failed = node.Dependencies.FirstOrDefault(d => states.Status[d.Index] is NodeStatus.Failed or NodeStatus.Skipped);
        states.Status[node.Index] = NodeStatus.Skipped;
        return states.Messages[node.Index] = failed is null ? "upstream failed" :
            states.Status[failed.Index] == NodeStatus.Failed ? $"upstream {failed.Id} failed" : states.Messages[failed.Index] ?? "upstream failed";
    }

    /// <summary>What a node reads: the base-case files for a first-stage node, else its dependencies' outputs in order.</summary>
    public IReadOnlyList<UpstreamArtifacts> Upstream(GraphNode node, NodeStates states)
    {
        var upstream = new List<UpstreamArtifacts>(node.Dependencies.Count + 1);
        // Files from outside the cache (a base case's templates, an exec trainer's scripts) come first, as one entry.
        if (node.Files.Count > 0 || node.Dependencies.Count == 0)
            upstream.Add(new UpstreamArtifacts(UpstreamArtifacts.FilesEntry, UpstreamArtifacts.FilesEntry, node.Sample?.Index, node.Sample?.Id,
                node.Sample?.Parameters ?? ValueMap.Empty,
                node.Files.Select(f => new Artifact(f.Name, f.FullPath, f.Hash)).ToList()));
        upstream.AddRange(node.Dependencies.Select(d => ArtifactsOf(d, states)));
        return upstream;
    }

    /// <summary>One done node's outputs as its dependents read them (blob paths in the store).</summary>
    public UpstreamArtifacts ArtifactsOf(GraphNode dependency, NodeStates states) =>
        new(dependency.Id, dependency.StageName, dependency.Sample?.Index, dependency.Sample?.Id,
            dependency.Sample?.Parameters ?? ValueMap.Empty,
            (states.Outputs[dependency.Index] ?? []).Select(o => new Artifact(o.Name, _cache.Blobs.PathOf(o.Hash), o.Hash)).ToList());

    /// <summary>The build state of the recipe (the snapshot the next probe starts from, and what status explains).</summary>
    public void Save(BuildGraph graph, NodeStates states)
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
}
