using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Documents;

namespace Recipes.Schema;

/// <summary>A value written either as a scalar, a list or a mapping; the form picks the alternative.</summary>
public sealed class ChoiceSchema : SchemaNode
{
    public ChoiceSchema(SchemaNode? scalar = null, SchemaNode? list = null, SchemaNode? mapping = null)
    {
        Scalar = scalar;
        List = list;
        Mapping = mapping;
    }

    public SchemaNode? Scalar { get; }
    public SchemaNode? List { get; }
    public SchemaNode? Mapping { get; }

    public override void Validate(DocNode node, string path, DiagnosticBag diagnostics)
    {
        var chosen = node switch
        {
            DocScalar => Scalar,
            DocSequence => List,
            DocMapping => Mapping,
            _ => null,
        };
        if (chosen is not null)
        {
            chosen.Validate(node, path, diagnostics);
            return;
        }
        var forms = new[] { Scalar is null ? null : "a value", List is null ? null : "a list", Mapping is null ? null : "a mapping" }
            .Where(f => f is not null);
        diagnostics.Error(node.Location, $"{path} should be {string.Join(" or ", forms)}, got {Describe(node)}");
    }

    public override JsonObject ToJsonSchema()
    {
        var options = new JsonArray();
        foreach (var s in new[] { Scalar, List, Mapping })
            if (s is not null) options.Add(s.ToJsonSchema());
        return WithDescription(new JsonObject { ["anyOf"] = options });
    }
}
