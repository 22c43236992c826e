using Recipes.Cache;

namespace Recipes.Execution;

/// <summary>Per-node results of probing and building, indexed by <c>GraphNode.Index</c>.</summary>
public sealed class NodeStates
{
    public NodeStates(int count)
    {
        Keys = new string?[count];
        Outputs = new IReadOnlyList<OutputFile>?[count];
        Status = new NodeStatus[count];
        Messages = new string?[count];
        Seconds = new double[count];
        Inputs = new IReadOnlyList<KeyValuePair<string, string>>?[count];
        Metrics = new NodeMetrics?[count];
    }

    /// <summary>Each node's metrics, from its run or its cache entry.</summary>
    public NodeMetrics?[] Metrics { get; }

    public string?[] Keys { get; }
    public IReadOnlyList<OutputFile>?[] Outputs { get; }
    public NodeStatus[] Status { get; }
    public string?[] Messages { get; }
    public double[] Seconds { get; }
    public IReadOnlyList<KeyValuePair<string, string>>?[] Inputs { get; }

    public void SetKey(int index, Graph.ResolvedKey key)
    {
        Keys[index] = key.Key;
        Inputs[index] = key.Inputs;
    }

    public bool IsDone(int index) => Status[index] is NodeStatus.Cached or NodeStatus.Executed;
}
