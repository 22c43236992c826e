namespace Recipes.Graph;

/// <summary>
/// A node's action key (the hex XxHash128 of the hashing contract) with the named input hashes it was computed from,
/// which the cache entry records and <c>status</c> compares to explain what changed.
/// </summary>
public sealed record ActionKey(string Hash, IReadOnlyList<KeyValuePair<string, string>> Inputs)
{
    public override string ToString() => Hash;
}
