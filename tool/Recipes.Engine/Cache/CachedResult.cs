namespace Recipes.Cache;

/// <summary>What a cache hit yields: the outputs and the node's metrics.</summary>
public sealed record CachedResult(IReadOnlyList<OutputFile> Outputs, NodeMetrics Metrics);
