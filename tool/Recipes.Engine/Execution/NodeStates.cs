using Recipes.Cache;
using Recipes.Graph;

namespace Recipes.Execution;

/// <summary>Per-node results of probing and building, indexed by <c>GraphNode.Index</c>.</summary>
public sealed class NodeStates
{
    public NodeStates(int count)
    {
        _hashes = new string?[count];
        Outputs = new IReadOnlyList<OutputFile>?[count];
        Status = new NodeStatus[count];
        _count = count;
        Metrics = new NodeMetrics?[count];
    }

    /// <summary>Each node's metrics, from its run or its cache entry.</summary>
    public NodeMetrics?[] Metrics { get; }

    // Each node's key text once its inputs are known. A key with its named inputs is made when asked (KeyOf): a probe
    // of four million nodes keeps strings, not four million key objects.
    private readonly string?[] _hashes;

    /// <summary>The node's action key, once its inputs are known (its named inputs listed when asked).</summary>
    public ActionKey? KeyOf(GraphNode node) => _hashes[node.Index] is { } hash ? new ActionKey(hash, node, Outputs) : null;

    internal void Keyed(int index, string hash) => _hashes[index] = hash;

    public IReadOnlyList<OutputFile>?[] Outputs { get; }
    public NodeStatus[] Status { get; }
    // Only a build writes messages and run times: a status of four million nodes allocates neither array.
    private readonly int _count;
    private string?[]? _messages;
    private double[]? _seconds;

    /// <summary>Each failed, skipped or cancelled node's message.</summary>
    public string?[] Messages => LazyInitializer.EnsureInitialized(ref _messages, () => new string?[_count]);

    /// <summary>Each executed node's run time.</summary>
    public double[] Seconds => LazyInitializer.EnsureInitialized(ref _seconds, () => new double[_count]);

    /// <summary>
    /// How many nodes the probe took whole from the last build's snapshot, and how many records that snapshot held:
    /// when both equal the node count, the build changed nothing and the snapshot need not be written again.
    /// </summary>
    public int FromSnapshot;
    public int SnapshotSize;

    /// <summary>The key's hash, or null while the node's inputs are not all known.</summary>
    public string? HashOf(int index) => _hashes[index];

    public bool IsDone(int index) => Status[index] is NodeStatus.Cached or NodeStatus.Executed;
}
