using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recipes.Diagnostics;
using Recipes.Documents;

namespace Recipes.Schema;

public sealed class ScalarSchema : SchemaNode
{
    public ScalarSchema(ScalarKind kind) => Kind = kind;

    public ScalarKind Kind { get; }
    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
    public bool ExclusiveMinimum { get; init; }
    public IReadOnlyList<string>? Enum { get; init; }
    public string? Pattern { get; init; }
    public string? PatternHint { get; init; }

    public override void Validate(DocNode node, string path, DiagnosticBag diagnostics)
    {
        if (node is not DocScalar scalar || scalar.IsNull)
        {
            diagnostics.Error(node.Location, $"{path} should be {KindText}, got {Describe(node)}");
            return;
        }
        switch (Kind)
        {
            case ScalarKind.Integer when !scalar.TryGetLong(out _):
            case ScalarKind.Number when !scalar.TryGetDouble(out _):
            case ScalarKind.Boolean when scalar.KindName != "boolean":
                diagnostics.Error(node.Location, $"{path} should be {KindText}, got {Describe(node)}");
                return;
        }
        if (Kind is ScalarKind.Integer or ScalarKind.Number && scalar.TryGetDouble(out var value))
        {
            // Every number the language takes (bounds, timeouts, rates) is finite: .nan and .inf are bad input, said here.
            if (!double.IsFinite(value))
            {
                diagnostics.Error(node.Location, $"{path} must be a finite number, got {scalar.Text}");
                return;
            }
            if (Minimum is { } min && (value < min || (ExclusiveMinimum && value <= min)))
                diagnostics.Error(node.Location, $"{path} must be {(ExclusiveMinimum ? "greater than" : "at least")} {Format(min)}, got {scalar.Text}");
            if (Maximum is { } max && value > max)
                diagnostics.Error(node.Location, $"{path} must be at most {Format(max)}, got {scalar.Text}");
        }
        if (Enum is not null && !Enum.Contains(scalar.Text, StringComparer.Ordinal))
            diagnostics.Error(node.Location, $"{path}: unknown value '{scalar.Text}'{Suggestions.DidYouMean(scalar.Text, Enum)}");
        if (Pattern is not null && !MatchesWhole(scalar.Text, Pattern))
            diagnostics.Error(node.Location, $"{path}: '{scalar.Text}' is not valid: {PatternHint ?? "must match " + Pattern}");
    }

    private string KindText => Kind switch
    {
        ScalarKind.String => "a string",
        ScalarKind.Integer => "an integer",
        ScalarKind.Number => "a number",
        ScalarKind.Boolean => "true or false",
        _ => "a scalar value",
    };

    private static string Format(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    public override JsonObject ToJsonSchema()
    {
        var schema = new JsonObject();
        switch (Kind)
        {
            case ScalarKind.String: schema["type"] = "string"; break;
            case ScalarKind.Integer: schema["type"] = "integer"; break;
            case ScalarKind.Number: schema["type"] = "number"; break;
            case ScalarKind.Boolean: schema["type"] = "boolean"; break;
            default: schema["type"] = new JsonArray("string", "number", "boolean"); break;
        }
        if (Minimum is { } min) schema[ExclusiveMinimum ? "exclusiveMinimum" : "minimum"] = min;
        if (Maximum is { } max) schema["maximum"] = max;
        if (Enum is not null) schema["enum"] = new JsonArray(Enum.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray());
        if (Pattern is not null) schema["pattern"] = Pattern;
        return WithDescription(schema);
    }

    /// <summary>The whole text matches: .NET's '$' also matches before a final newline, which a name must not end with.</summary>
    private static bool MatchesWhole(string text, string pattern) =>
        Regex.Match(text, pattern) is { Success: true } match && match.Index == 0 && match.Length == text.Length;
}
