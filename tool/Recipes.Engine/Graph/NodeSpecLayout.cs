namespace Recipes.Graph;

/// <summary>
/// The member order of a stage's per-sample specs: the members every node of the stage shares (stage, plug-in,
/// version, settings, identity) and the names each node fills in (its parameters, the template list), merged by name
/// once per stage. A node's spec then holds only its own values: a million samples' four stages keep one copy of the
/// shared members instead of four million.
/// </summary>
internal sealed class NodeSpecLayout
{
    private readonly KeyValuePair<string, string>[] _shared;
    private readonly string[] _names;
    // Per member in canonical order: the index of a shared member, or the one's complement of an own value's index.
    private readonly int[] _order;

    /// <param name="shared">The members every node shares, in any order.</param>
    /// <param name="ownNames">The names each node gives a value for, in the order it gives them.</param>
    public NodeSpecLayout(IEnumerable<KeyValuePair<string, string>> shared, params string[] ownNames)
    {
        _shared = [.. shared];
        _names = ownNames;
        var all = _shared.Select((m, i) => (Name: m.Key, Index: i)).Concat(ownNames.Select((n, i) => (Name: n, Index: ~i))).ToList();
        if (all.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count() != all.Count)
            throw new ArgumentException("a spec member is named twice", nameof(ownNames));
        all.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        _order = [.. all.Select(m => m.Index)];
    }

    public int Count => _order.Length;

    public int OwnCount => _names.Length;

    public KeyValuePair<string, string> At(int position, NodeSpec spec)
    {
        var index = _order[position];
        return index >= 0 ? _shared[index] : new(_names[~index], spec.OwnValue(~index));
    }
}
