using Recipes.Hashing;

namespace Recipes.Graph;

/// <summary>
/// A node's canonical spec (a JSON object of canonical members, sorted by name). Keys hash it member by member
/// (<see cref="KeyBuilder.AddObject"/> gives the same bytes as hashing <see cref="Text"/>), so a graph of tens of
/// thousands of nodes does not hold one spec string per node; the text is made when something shows or stores it.
/// </summary>
public sealed class NodeSpec
{
    private string? _text;

    /// <param name="members">Canonical members; sorted here, in place.</param>
    public NodeSpec(List<KeyValuePair<string, string>> members)
    {
        members.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        Members = members;
    }

    public IReadOnlyList<KeyValuePair<string, string>> Members { get; }

    /// <summary>The canonical JSON text, as recorded in cache entries.</summary>
    public string Text => _text ??= CanonicalJson.ObjectOf(Members);

    public override string ToString() => Text;
}
