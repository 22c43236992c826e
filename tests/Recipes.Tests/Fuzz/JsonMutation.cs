using System.Text.Json.Nodes;
using CsCheck;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// One structural edit of a JSON document: a value somewhere in it (picked by <see cref="Target"/> among all values,
/// depth first) replaced by a value of another type (<see cref="Nasty.JsonValues"/>), removed, wrapped in a list, or
/// given a nasty text. Type swaps and wrong-typed fields are what a reader that trusts a record's shape crashes on.
/// </summary>
public sealed record JsonMutation(int Kind, int Target, int Value, string Token)
{
    public static readonly Gen<JsonMutation> Gen = CsCheck.Gen.Select(CsCheck.Gen.Int[0, 4], CsCheck.Gen.Int[0, int.MaxValue], CsCheck.Gen.Int[0, Nasty.JsonValues.Length - 1], Nasty.Token,
        (kind, target, value, token) => new JsonMutation(kind, target, value, token));

    public static Gen<JsonMutation[]> Many(int most = 4) => Gen.Array[1, most];

    /// <summary>The document's text after every edit (applied to a copy).</summary>
    public static string ApplyAll(JsonNode document, IEnumerable<JsonMutation> mutations)
    {
        var copy = document.DeepClone();
        foreach (var m in mutations) copy = m.Apply(copy);
        return copy.ToJsonString();
    }

    private JsonNode Apply(JsonNode root)
    {
        var slots = new List<(JsonNode Parent, string? Name, int Index)>();
        Collect(root, slots);
        if (slots.Count == 0) return Replacement() ?? root;
        var (parent, name, index) = slots[Target % slots.Count];
        JsonNode? old = parent is JsonObject o1 ? o1[name!] : parent.AsArray()[index];
        JsonNode? replacement = Kind switch
        {
            0 or 1 => Replacement(),
            2 => null, // removed below
            3 => new JsonArray(old?.DeepClone()),
            _ => JsonValue.Create(Token),
        };
        if (parent is JsonObject o)
        {
            if (Kind == 2) o.Remove(name!);
            else o[name!] = replacement;
        }
        else if (Kind == 2) parent.AsArray().RemoveAt(index);
        else parent.AsArray()[index] = replacement;
        return root;
    }

    private JsonNode? Replacement() => JsonNode.Parse(Nasty.JsonValues[Value]);

    private static void Collect(JsonNode node, List<(JsonNode, string?, int)> slots)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    slots.Add((o, name, 0));
                    if (child is not null) Collect(child, slots);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    slots.Add((a, null, i));
                    if (a[i] is { } child) Collect(child, slots);
                }
                break;
        }
    }

    public override string ToString() => $"{Kind}@{Target}:{Nasty.JsonValues[Value]}|{Escaping.TerminalText.Clean(Token.Length > 40 ? Token[..40] + "..." : Token)}";
}
