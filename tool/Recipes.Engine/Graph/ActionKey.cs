using Recipes.Cache;

namespace Recipes.Graph;

/// <summary>
/// A node's action key (the hex XxHash128 of the hashing contract) with the named input hashes it was computed from,
/// which the cache entry records and <c>status</c> compares to explain what changed.
/// </summary>
public sealed class ActionKey
{
    private readonly GraphNode? _node;
    private readonly IReadOnlyList<OutputFile>?[]? _outputs;
    private IReadOnlyList<KeyValuePair<string, string>>? _inputs;

    public ActionKey(string hash, IReadOnlyList<KeyValuePair<string, string>> inputs)
    {
        Hash = hash;
        _inputs = inputs;
    }

    /// <summary>
    /// A key whose named inputs are listed when first asked for, from the node and its dependencies' outputs (which
    /// do not change once a dependency is done): a probe of four million cached nodes never asks, and keeps no list.
    /// </summary>
    internal ActionKey(string hash, GraphNode node, IReadOnlyList<OutputFile>?[] outputs)
    {
        Hash = hash;
        _node = node;
        _outputs = outputs;
    }

    public string Hash { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Inputs => _inputs ??= ActionKeys.InputsOf(_node!, _outputs!);

    public override string ToString() => Hash;
}
