using System.Text.Json.Nodes;
using Recipes.Graph;
using Recipes.Hashing;

namespace Recipes.Sampling;

/// <summary>
/// What a sample is, whatever its position: the hash of its resolved parameter values (the base case's, the space's
/// and the derived ones: a node spec's <c>params</c> member). The values also fix the sample's draw seed, which derives
/// from its spec and the recipe's seed (<see cref="NodeSeed"/>), so a changed recipe seed is told apart as "seed changed".
/// Explanations and diffs match samples by this identity: after a grid is refined, render/000002 may be another sample
/// than it was, and the sample it was may now be render/000004 with nothing to rebuild. Node ids stay positional.
/// </summary>
public static class SampleIdentity
{
    /// <summary>The spec member that holds a per-sample node's resolved parameters.</summary>
    public const string ParamsMember = "params";

    /// <summary>The identity of a per-sample node's sample, or null for a node that belongs to no one sample.</summary>
    public static string? Of(GraphNode node)
    {
        if (node.Sample is null) return null;
        foreach (var (name, value) in node.Spec.Members)
            if (name == ParamsMember) return ContentHash.Of(value);
        return null;
    }

    /// <summary>
    /// The identity recorded in a cache entry's spec text, or null where the spec holds no parameters or cannot be read
    /// (a damaged entry is then matched by position, as before). Canonical JSON is idempotent, so this equals
    /// <see cref="Of(GraphNode)"/> for the node that wrote the entry.
    /// </summary>
    public static string? OfSpec(string specText)
    {
        try
        {
            return JsonNode.Parse(specText) is JsonObject spec && spec[ParamsMember] is JsonObject parameters
                ? ContentHash.Of(CanonicalJson.Serialize(parameters))
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The identity of one entry of a dataset spec's <c>samples</c> list (<c>{ id, params }</c>), or null.</summary>
    public static string? OfMember(JsonNode? member) =>
        member is JsonObject o && o[ParamsMember] is JsonObject parameters ? ContentHash.Of(CanonicalJson.Serialize(parameters)) : null;
}
