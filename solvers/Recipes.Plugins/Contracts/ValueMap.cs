using System.Globalization;
using System.Text.Json.Nodes;

namespace Recipes.Plugins;

/// <summary>
/// Named values as a recipe resolves them (numbers, strings, booleans, lists, maps), read by plugins through typed
/// getters whose errors name the key. Keys are kept sorted so that enumeration is canonical.
/// </summary>
public sealed class ValueMap
{
    // One array of the entries sorted by key, searched by halves: a sample's handful of parameters costs one small
    // array instead of a tree of nodes (a million samples hold a million of these).
    private readonly KeyValuePair<string, JsonNode?>[] _entries;

    public static ValueMap Empty { get; } = new([]);

    /// <summary>The values by name; where a name repeats, the last value stands.</summary>
    public ValueMap(IEnumerable<KeyValuePair<string, JsonNode?>> values)
    {
        var list = values.ToList();
        var order = new int[list.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        // Stable by name, so that the last of a repeated name is the one kept.
        Array.Sort(order, (a, b) => string.CompareOrdinal(list[a].Key, list[b].Key) is var c && c != 0 ? c : a.CompareTo(b));
        var kept = new List<KeyValuePair<string, JsonNode?>>(list.Count);
        for (var i = 0; i < order.Length; i++)
            if (i + 1 == order.Length || !string.Equals(list[order[i]].Key, list[order[i + 1]].Key, StringComparison.Ordinal))
                kept.Add(list[order[i]]);
        _entries = [.. kept];
    }

    public IEnumerable<string> Keys => _entries.Select(e => e.Key);
    public int Count => _entries.Length;
    public IEnumerable<KeyValuePair<string, JsonNode?>> Entries => _entries;

    public bool Contains(string key) => IndexOf(key) >= 0;

    public JsonNode? this[string key] => TryGet(key, out var v) ? v : throw Missing(key);

    public bool TryGet(string key, out JsonNode? value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _entries[i].Value : null;
        return i >= 0;
    }

    public ValueMap With(string key, JsonNode? value) => new([.. _entries, new(key, value)]);

    private int IndexOf(string key)
    {
        int low = 0, high = _entries.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var order = string.CompareOrdinal(_entries[middle].Key, key);
            if (order == 0) return middle;
            if (order < 0) low = middle + 1;
            else high = middle - 1;
        }
        return -1;
    }

    public double GetDouble(string key) => ToDouble(key, this[key]);

    public double GetDouble(string key, double fallback) =>
        TryGet(key, out var v) && v is not null ? ToDouble(key, v) : fallback;

    public int GetInt(string key) => checked((int)GetLong(key));

    public int GetInt(string key, int fallback) =>
        TryGet(key, out var v) && v is not null ? checked((int)ToLong(key, v)) : fallback;

    public long GetLong(string key) => ToLong(key, this[key]);

    public string GetString(string key) => ToText(key, this[key]);

    public string GetString(string key, string fallback) =>
        TryGet(key, out var v) && v is not null ? ToText(key, v) : fallback;

    public bool GetBool(string key, bool fallback) =>
        TryGet(key, out var v) && v is not null
            ? v is JsonValue jv && jv.TryGetValue(out bool b) ? b : throw Wrong(key, "a boolean", v)
            : fallback;

    public IReadOnlyList<double> GetDoubles(string key)
    {
        if (this[key] is not JsonArray array) throw Wrong(key, "a list of numbers", this[key]);
        return array.Select((n, i) => ToDouble($"{key}[{i}]", n)).ToArray();
    }

    public IReadOnlyList<string> GetStrings(string key, IReadOnlyList<string>? fallback = null)
    {
        if (!TryGet(key, out var node) || node is null)
            return fallback ?? throw Missing(key);
        if (node is JsonValue) return [ToText(key, node)];
        if (node is not JsonArray array) throw Wrong(key, "a list of strings", node);
        return array.Select((n, i) => ToText($"{key}[{i}]", n)).ToArray();
    }

    public ValueMap GetMap(string key)
    {
        if (!TryGet(key, out var node) || node is null) return Empty;
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
