using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Documents;

namespace Recipes.Schema;

/// <summary>Accepts any value (free-form constants such as <c>base_case.params</c> entries).</summary>
public sealed class AnySchema : SchemaNode
{
    public override void Validate(DocNode node, string path, DiagnosticBag diagnostics) { }

    public override JsonObject ToJsonSchema() => WithDescription([]);
}
