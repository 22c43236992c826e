using System.Globalization;
using System.Text.Json.Nodes;

namespace Recipes.Plugins;

/// <summary>
/// Named values as a recipe resolves them (numbers, strings, booleans, lists, maps), read by plugins through typed
/// getters whose errors name the key. Keys are kept sorted so that enumeration is canonical.
/// </summary>
public sealed class ValueMap
{
    private readonly SortedDictionary<string, JsonNode?> _values;

    public static ValueMap Empty { get; } = new(new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal));

    public ValueMap(IEnumerable<KeyValuePair<string, JsonNode?>> values)
    {
        _values = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (k, v) in values) _values[k] = v;
    }

    public IEnumerable<string> Keys => _values.Keys;
    public int Count => _values.Count;
    public IEnumerable<KeyValuePair<string, JsonNode?>> Entries => _values;

    public bool Contains(string key) => _values.ContainsKey(key);

    public JsonNode? this[string key] => _values.TryGetValue(key, out var v) ? v : throw Missing(key);

    public bool TryGet(string key, out JsonNode? value) => _values.TryGetValue(key, out value);

    public ValueMap With(string key, JsonNode? value)
    {
        var copy = new SortedDictionary<string, JsonNode?>(_values, StringComparer.Ordinal) { [key] = value };
        return new ValueMap(copy);
    }

    public double GetDouble(string key) => ToDouble(key, this[key]);

    public double GetDouble(string key, double fallback) =>
        _values.TryGetValue(key, out var v) && v is not null ? ToDouble(key, v) : fallback;

    public int GetInt(string key) => checked((int)GetLong(key));

    public int GetInt(string key, int fallback) =>
        _values.TryGetValue(key, out var v) && v is not null ? checked((int)ToLong(key, v)) : fallback;

    public long GetLong(string key) => ToLong(key, this[key]);

    public string GetString(string key) => ToText(key, this[key]);

    public string GetString(string key, string fallback) =>
        _values.TryGetValue(key, out var v) && v is not null ? ToText(key, v) : fallback;

    public bool GetBool(string key, bool fallback) =>
        _values.TryGetValue(key, out var v) && v is not null
            ? v is JsonValue jv && jv.TryGetValue(out bool b) ? b : throw Wrong(key, "a boolean", v)
            : fallback;

    public IReadOnlyList<double> GetDoubles(string key)
    {
        if (this[key] is not JsonArray array) throw Wrong(key, "a list of numbers", this[key]);
        return array.Select((n, i) => ToDouble($"{key}[{i}]", n)).ToArray();
    }

    public IReadOnlyList<string> GetStrings(string key, IReadOnlyList<string>? fallback = null)
    {
        if (!_values.TryGetValue(key, out var node) || node is null)
            return fallback ?? throw Missing(key);
        if (node is JsonValue) return [ToText(key, node)];
        if (node is not JsonArray array) throw Wrong(key, "a list of strings", node);
        return array.Select((n, i) => ToText($"{key}[{i}]", n)).ToArray();
    }

    public ValueMap GetMap(string key)
    {
        if (!_values.TryGetValue(key, out var node) || node is null) return Empty;
        if (node is not JsonObject obj) throw Wrong(key, "a mapping", node);
        return new ValueMap(obj.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value)));
    }

    public static double ToDouble(string key, JsonNode? node)
    {
        if (node is JsonValue v)
        {
            if (v.TryGetValue(out double d)) return d;
            if (v.TryGetValue(out long l)) return l;
            if (v.TryGetValue(out int i)) return i;
        }
        throw Wrong(key, "a number", node);
    }

    public static long ToLong(string key, JsonNode? node)
    {
        if (node is JsonValue v)
        {
            if (v.TryGetValue(out long l)) return l;
            if (v.TryGetValue(out int i)) return i;
            if (v.TryGetValue(out double d) && Math.Abs(d - Math.Round(d)) == 0 && Math.Abs(d) < 9e15) return (long)d;
        }
        throw Wrong(key, "an integer", node);
    }

    private static string ToText(string key, JsonNode? node)
    {
        if (node is JsonValue v)
        {
            if (v.TryGetValue(out string? s)) return s;
            if (v.TryGetValue(out long l)) return l.ToString(CultureInfo.InvariantCulture);
            if (v.TryGetValue(out double d)) return d.ToString("R", CultureInfo.InvariantCulture);
            if (v.TryGetValue(out bool b)) return b ? "true" : "false";
        }
        throw Wrong(key, "a string", node);
    }

    private static PluginException Missing(string key) => new($"missing value '{key}'");

    private static PluginException Wrong(string key, string expected, JsonNode? got) =>
        new($"'{key}' should be {expected}, got {got?.ToJsonString() ?? "null"}");
}
