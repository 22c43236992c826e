using System.Collections;
using Recipes.Hashing;

namespace Recipes.Graph;

/// <summary>
/// A node's canonical spec (a JSON object of canonical members, sorted by name). Keys hash it member by member
/// (<see cref="KeyBuilder.AddObject"/> gives the same bytes as hashing <see cref="Text"/>), so a graph of tens of
/// thousands of nodes does not hold one spec string per node; the text is made when something shows or stores it.
/// A sample's node holds only its own values, the rest coming from its stage's <see cref="NodeSpecLayout"/>.
/// </summary>
public sealed class NodeSpec : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly KeyValuePair<string, string>[]? _members;
    private readonly NodeSpecLayout? _layout;
    // A layout's own values: the one value most stages have, or all of them.
    private readonly string? _one;
    private readonly string[]? _own;
    // Or values made each time they are read, for one that is large and made from what the graph holds anyway (a
    // dataset shard's membership: every sample's parameters again, 140 MB of a million-sample graph if kept).
    private readonly Func<int, string>? _made;
    private string? _text;

    /// <param name="members">Canonical members; sorted here, in place, and held as given (an array of exactly the
    /// members: four million nodes' specs cost no list object and no spare capacity each).</param>
    public NodeSpec(KeyValuePair<string, string>[] members)
    {
        Array.Sort(members, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        _members = members;
    }

    /// <param name="layout">The stage's shared members and own names.</param>
    /// <param name="own">A value per own name of the layout, in its order.</param>
    internal NodeSpec(NodeSpecLayout layout, params string[] own)
    {
        if (own.Length != layout.OwnCount) throw new ArgumentException($"{own.Length} values for {layout.OwnCount} names", nameof(own));
        _layout = layout;
        if (own.Length == 1) _one = own[0];
        else _own = own;
    }

    /// <param name="layout">The stage's shared members and own names.</param>
    /// <param name="made">The value of each own name by its index in the layout, made again at each read.</param>
    internal NodeSpec(NodeSpecLayout layout, Func<int, string> made)
    {
        _layout = layout;
        _made = made;
    }

    /// <summary>The members in canonical order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Members => _members ?? (IReadOnlyList<KeyValuePair<string, string>>)this;

    /// <summary>The canonical JSON text, as recorded in cache entries.</summary>
    public string Text => _text ??= CanonicalJson.ObjectOf(Members);

    internal string OwnValue(int index) => _made is not null ? _made(index) : _own is null && index == 0 ? _one! : _own![index];

    int IReadOnlyCollection<KeyValuePair<string, string>>.Count => _members?.Length ?? _layout!.Count;

    KeyValuePair<string, string> IReadOnlyList<KeyValuePair<string, string>>.this[int index] => _members is { } members ? members[index] : _layout!.At(index, this);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator()
    {
        var members = Members;
        for (var i = 0; i < members.Count; i++) yield return members[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)this).GetEnumerator();

    public override string ToString() => Text;
}
