using System.Text.Json.Nodes;

namespace Recipes.Documents;

/// <summary>Converts validated YAML nodes to plain values (JSON nodes) for the recipe model.</summary>
public static class DocValues
{
    public static JsonNode? ToJson(DocNode node) => node switch
    {
        DocScalar s => s.Value,
        DocSequence seq => new JsonArray(seq.Items.Select(ToJson).ToArray()),
        DocMapping map => new JsonObject(map.Entries.Select(e => new KeyValuePair<string, JsonNode?>(e.Name, ToJson(e.Value)))),
        _ => null,
    };
}
