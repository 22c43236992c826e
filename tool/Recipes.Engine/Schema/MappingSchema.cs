using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recipes.Diagnostics;
using Recipes.Documents;

namespace Recipes.Schema;

/// <summary>
/// A mapping with known keys (unknown ones are errors with a suggestion), or, with <see cref="Values"/>, a map of
/// user-chosen names (parameters, derived values) whose values all share one schema.
/// </summary>
public sealed class MappingSchema : SchemaNode
{
    public IReadOnlyList<(string Name, SchemaNode Schema)> Properties { get; init; } = [];
    public IReadOnlySet<string> Required { get; init; } = new HashSet<string>();

    /// <summary>For maps of user-chosen names: the schema of every value.</summary>
    public SchemaNode? Values { get; init; }

    public string? KeyPattern { get; init; }

    /// <summary>What a name matching <see cref="KeyPattern"/> looks like, in the error for one that does not.</summary>
    public string KeyPatternHint { get; init; } = "letters, digits and '_', starting with a letter";
    public string KeyNoun { get; init; } = "key";

    /// <summary>Exactly one of these keys must be present (e.g. the kind of a parameter: int, uniform, choice...).</summary>
    public IReadOnlyList<string>? ExactlyOneOf { get; init; }

    public bool AllowEmpty { get; init; } = true;

    public SchemaNode? Property(string name) => Properties.FirstOrDefault(p => p.Name == name).Schema;

    public override void Validate(DocNode node, string path, DiagnosticBag diagnostics)
    {
        if (node is not DocMapping map)
        {
            diagnostics.Error(node.Location, $"{path} should be a mapping (key: value), got {Describe(node)}");
            return;
        }
        if (!AllowEmpty && map.Entries.Count == 0)
            diagnostics.Error(map.Location, $"{path} is empty; declare at least one {KeyNoun}");
        foreach (var entry in map.Entries)
        {
            var childPath = path.Length == 0 ? entry.Name : $"{path}.{entry.Name}";
            var schema = Property(entry.Name);
            if (schema is null && Values is not null)
            {
                if (KeyPattern is not null && !Regex.IsMatch(entry.Name, KeyPattern))
                    diagnostics.Error(entry.Key.Location, $"{childPath}: '{entry.Name}' is not a valid {KeyNoun} name ({KeyPatternHint})");
                schema = Values;
            }
            if (schema is null)
            {
                diagnostics.Error(entry.Key.Location, $"unknown key '{entry.Name}' in {(path.Length == 0 ? "the recipe" : path)}{Suggestions.DidYouMean(entry.Name, Properties.Select(p => p.Name))}");
                continue;
            }
            schema.Validate(entry.Value, childPath, diagnostics);
        }
        foreach (var required in Required)
            if (map[required] is null)
                diagnostics.Error(map.Location, $"{(path.Length == 0 ? "the recipe" : path)} is missing required key '{required}'");
        if (ExactlyOneOf is not null)
        {
            var present = ExactlyOneOf.Where(k => map[k] is not null).ToList();
            if (present.Count == 0)
                diagnostics.Error(map.Location, $"{path} needs one of: {string.Join(", ", ExactlyOneOf)}");
            else if (present.Count > 1)
                diagnostics.Error(map.Location, $"{path} has {string.Join(" and ", present)}; give only one");
        }
    }

    public override JsonObject ToJsonSchema()
    {
        var schema = new JsonObject { ["type"] = "object" };
        if (Properties.Count > 0)
        {
            var props = new JsonObject();
            foreach (var (name, s) in Properties) props[name] = s.ToJsonSchema();
            schema["properties"] = props;
        }
        if (Required.Count > 0) schema["required"] = new JsonArray(Required.Order(StringComparer.Ordinal).Select(r => (JsonNode?)JsonValue.Create(r)).ToArray());
        if (Values is not null)
        {
            schema["additionalProperties"] = Values.ToJsonSchema();
            if (KeyPattern is not null) schema["propertyNames"] = new JsonObject { ["pattern"] = KeyPattern };
        }
        else
        {
            schema["additionalProperties"] = false;
        }
        if (ExactlyOneOf is not null)
            schema["oneOf"] = new JsonArray(ExactlyOneOf.Select(k => (JsonNode?)new JsonObject { ["required"] = new JsonArray(k) }).ToArray());
        if (!AllowEmpty) schema["minProperties"] = 1;
        return WithDescription(schema);
    }
}
