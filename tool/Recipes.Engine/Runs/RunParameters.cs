using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Documents;

namespace Recipes.Runs;

/// <summary>
/// A recipe's resolved document (includes merged, <c>--set</c> applied) as a flat map from dotted paths to values, so two
/// runs or two recipe files compare path by path, as <c>dvc params diff</c> does. Lists stay whole values: a sweep's
/// <c>choice: [30, 45]</c> is one parameter.
/// </summary>
public static class RunParameters
{
    /// <summary>The flat map of <paramref name="recipePath"/> with <paramref name="sets"/> applied; empty if it cannot be read.</summary>
    public static JsonObject Resolve(string recipePath, IReadOnlyList<string> sets)
    {
        var document = RecipeDocumentLoader.Load(recipePath, sets, new DiagnosticBag());
        return document is null ? [] : Flatten(DocValues.ToJson(document.Root));
    }

    public static JsonObject Flatten(JsonNode? root)
    {
        var flat = new JsonObject();
        void Walk(string path, JsonNode? node)
        {
            if (node is JsonObject o && (o.Count > 0 || path.Length == 0))
                foreach (var (name, value) in o) Walk(path.Length == 0 ? name : $"{path}.{name}", value);
            else
                flat[path] = node?.DeepClone();
        }
        Walk("", root);
        return flat;
    }

    /// <summary>Each <c>--set PATH=VALUE</c> with the value the recipe resolved it to (or the text given, for a path not in the map).</summary>
    public static JsonObject SetValues(IReadOnlyList<string> sets, JsonObject parameters)
    {
        var result = new JsonObject();
        foreach (var set in sets)
        {
            var equals = set.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) continue;
            var path = set[..equals].Trim();
            result[path] = (Lookup(parameters, path) ?? JsonValue.Create(set[(equals + 1)..]))?.DeepClone();
        }
        return result;
    }

    /// <summary>The value at a dotted path, also inside a list kept whole (<c>parameters.space.a.choice.0</c>); null if absent.</summary>
    private static JsonNode? Lookup(JsonObject parameters, string path)
    {
        if (parameters.TryGetPropertyValue(path, out var direct)) return direct;
        var parts = path.Split('.');
        for (var i = parts.Length - 1; i > 0; i--)
        {
            if (!parameters.TryGetPropertyValue(string.Join('.', parts[..i]), out var node)) continue;
            foreach (var part in parts[i..])
                node = node switch
                {
                    JsonArray a when int.TryParse(part, out var index) && index >= 0 && index < a.Count => a[index],
                    JsonObject o when o.TryGetPropertyValue(part, out var inner) => inner,
                    _ => null,
                };
            return node;
        }
        return null;
    }

    /// <summary>The paths whose values are not the same in all of <paramref name="maps"/> (a missing path counts as a value).</summary>
    public static IReadOnlyList<string> Differing(IReadOnlyList<JsonObject> maps)
    {
        var paths = maps.SelectMany(m => m.Select(p => p.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return paths.Where(path => maps.Select(m => m.TryGetPropertyValue(path, out var v) ? "=" + (v?.ToJsonString() ?? "null") : "missing")
            .Distinct(StringComparer.Ordinal).Count() > 1).ToList();
    }
}
