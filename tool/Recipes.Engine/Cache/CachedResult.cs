namespace Recipes.Cache;

/// <summary>What a cache hit yields: the outputs and the node's metrics as recorded JSON.</summary>
public sealed record CachedResult(IReadOnlyList<OutputFile> Outputs, string MetricsJson);
