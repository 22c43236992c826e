namespace Recipes.Execution;

/// <summary>One node's outcome in a <see cref="RunNodeReport"/>.</summary>
/// <param name="PeakBytes">Peak resident memory of the run-node process tree while this node ran (bench).</param>
/// <param name="WarmUp">A run that only warms the process up (bench): not one of the measured runs.</param>
public sealed record RunNodeOutcome(string Node, NodeStatus Status, string? Key, double? Seconds = null, long? OutputBytes = null, string? Error = null,
    long? PeakBytes = null, bool? WarmUp = null);
