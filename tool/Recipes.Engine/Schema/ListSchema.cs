using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Documents;

namespace Recipes.Schema;

public sealed class ListSchema : SchemaNode
{
    public ListSchema(SchemaNode items) => Items = items;

    public SchemaNode Items { get; }
    public int MinItems { get; init; }
    public int? MaxItems { get; init; }

    public override void Validate(DocNode node, string path, DiagnosticBag diagnostics)
    {
        if (node is not DocSequence seq)
        {
            diagnostics.Error(node.Location, $"{path} should be a list ([a, b, ...]), got {Describe(node)}");
            return;
        }
        if (seq.Items.Count < MinItems)
            diagnostics.Error(node.Location, seq.Items.Count == 0
                ? $"{path} is empty; give at least {MinItems} item{(MinItems == 1 ? "" : "s")}"
                : $"{path} needs at least {MinItems} items, has {seq.Items.Count}");
        if (MaxItems is { } max && seq.Items.Count > max)
            diagnostics.Error(node.Location, $"{path} takes at most {max} items, has {seq.Items.Count}");
        for (var i = 0; i < seq.Items.Count; i++) Items.Validate(seq.Items[i], $"{path}[{i}]", diagnostics);
    }

    public override JsonObject ToJsonSchema()
    {
        var schema = new JsonObject { ["type"] = "array", ["items"] = Items.ToJsonSchema() };
        if (MinItems > 0) schema["minItems"] = MinItems;
        if (MaxItems is { } max) schema["maxItems"] = max;
        return WithDescription(schema);
    }
}
