namespace Recipes.Cluster;

/// <summary>What every array task needs to rebuild the controller's graph: the recipe, its overrides, and the caches.</summary>
public sealed record SlurmInvocation(string RecipePath, IReadOnlyList<string> Sets, string CacheRoot, string? RemoteCache, string WorkingDirectory, Plugins.DeviceKind Device);
