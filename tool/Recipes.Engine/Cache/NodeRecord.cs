namespace Recipes.Cache;

/// <summary>
/// What the last build of a recipe did with one node: the key it used, whether it failed, and (when it succeeded) its
/// outputs and metrics — a snapshot that lets a no-op build skip reading one action entry per node.
/// </summary>
public sealed record NodeRecord(string NodeId, string Key, bool Failed, string Message)
{
    public IReadOnlyList<OutputFile>? Outputs { get; init; }
    public NodeMetrics? Metrics { get; init; }
}
