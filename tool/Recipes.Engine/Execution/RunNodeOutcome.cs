namespace Recipes.Execution;

/// <summary>One node's outcome in a <see cref="RunNodeReport"/>.</summary>
public sealed record RunNodeOutcome(string Node, NodeStatus Status, string? Key, double? Seconds = null, long? OutputBytes = null, string? Error = null);
