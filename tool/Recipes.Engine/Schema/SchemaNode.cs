using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Documents;

namespace Recipes.Schema;

/// <summary>
/// One node of the recipe language's definition. The same definition validates recipes (with file:line:col and
/// "did you mean"), prints the JSON Schema for editors, and is what docs/recipe-reference.md describes.
/// </summary>
public abstract class SchemaNode
{
    public string Description { get; init; } = "";

    public abstract void Validate(DocNode node, string path, DiagnosticBag diagnostics);

    public abstract JsonObject ToJsonSchema();

    protected JsonObject WithDescription(JsonObject schema)
    {
        if (Description.Length > 0) schema["description"] = Description;
        return schema;
    }

    protected static string Describe(DocNode node) => node switch
    {
        DocScalar s when s.IsNull => "nothing (null)",
        DocScalar s => $"{s.KindName} '{s.Text}'",
        _ => "a " + node.KindName,
    };
}
