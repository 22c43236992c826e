namespace Recipes.Graph;

/// <summary>A node's action key with the named input hashes it was computed from (recorded in the cache entry).</summary>
public sealed record ResolvedKey(string Key, IReadOnlyList<KeyValuePair<string, string>> Inputs);
