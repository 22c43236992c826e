using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Scriban.Runtime;

namespace Recipes.Templates;

/// <summary>Converts between recipe values (JSON nodes) and the objects Scriban computes with.</summary>
public static class ScriptValues
{
    public static ScriptObject ToScriptObject(ValueMap values)
    {
        var result = new ScriptObject();
        foreach (var (key, value) in values.Entries) result[key] = ToScript(value);
        return result;
    }

    public static object? ToScript(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.Aggregate(new ScriptObject(), (so, p) => { so[p.Key] = ToScript(p.Value); return so; }),
        JsonArray array => new ScriptArray(array.Select(ToScript)),
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v when v.TryGetValue(out int i) => (long)i,
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out bool b) => b,
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => node.ToJsonString(),
    };

    public static JsonNode? FromScript(object? value) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create((long)i),
        long l => JsonValue.Create(l),
        float f => JsonValue.Create((double)f),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create((double)m),
        string s => JsonValue.Create(s),
        ScriptArray a => new JsonArray(a.Select(FromScript).ToArray()),
        ScriptObject o => new JsonObject(o.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, FromScript(p.Value)))),
        IFormattable f => JsonValue.Create(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };
}
