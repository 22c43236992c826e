using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recipes.Hashing;

/// <summary>
/// The one text form of a value that enters an action key: keys sorted by ordinal, no whitespace, integers as
/// integers, other numbers in shortest round-trip form. Equal values give equal text, whatever the YAML looked like.
/// </summary>
public static class CanonicalJson
{
    public static string Serialize(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node);
        return builder.ToString();
    }

    /// <summary>
    /// The canonical object of named values already sorted by ordinal name (a <c>ValueMap</c>'s entries): the same text
    /// as serializing them as a <see cref="JsonObject"/>, without copying every value into one.
    /// </summary>
    [ThreadStatic]
    private static StringBuilder? PerThread;

    public static string ObjectOfSorted(IEnumerable<KeyValuePair<string, JsonNode?>> sortedEntries)
    {
        // Once per sample: one builder per thread, reused, instead of a new one grown each time.
        var builder = (PerThread ??= new StringBuilder(256)).Clear().Append('{');
        var first = true;
        foreach (var (key, value) in sortedEntries)
        {
            if (!first) builder.Append(',');
            first = false;
            builder.Append(QuotedName(key)).Append(':');
            Write(builder, value);
        }
        return builder.Append('}').ToString();
    }

    private static void Write(StringBuilder builder, JsonNode? node)
    {
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) builder.Append(',');
                    first = false;
                    WriteString(builder, key);
                    builder.Append(':');
                    Write(builder, value);
                }
                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) builder.Append(',');
                    Write(builder, array[i]);
                }
                builder.Append(']');
                break;
            case JsonValue value:
                WriteValue(builder, value);
                break;
        }
    }

    private static void WriteValue(StringBuilder builder, JsonValue value)
    {
        if (value.TryGetValue(out string? s)) WriteString(builder, s);
        else if (value.TryGetValue(out bool b)) builder.Append(b ? "true" : "false");
        else if (value.TryGetValue(out long l)) builder.Append(l.ToString(CultureInfo.InvariantCulture));
        else if (value.TryGetValue(out int i)) builder.Append(i.ToString(CultureInfo.InvariantCulture));
        else if (value.TryGetValue(out ulong ul)) builder.Append(ul.ToString(CultureInfo.InvariantCulture));
        else if (value.TryGetValue(out double d)) builder.Append(Number(d));
        else if (value.TryGetValue(out float f)) builder.Append(Number(f));
        else if (value.TryGetValue(out JsonElement e)) WriteElement(builder, e);
        else builder.Append(value.ToJsonString());
    }

    private static void WriteElement(StringBuilder builder, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when element.TryGetInt64(out var l):
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case JsonValueKind.Number:
                builder.Append(Number(element.GetDouble()));
                break;
            case JsonValueKind.String:
                WriteString(builder, element.GetString()!);
                break;
            case JsonValueKind.Object or JsonValueKind.Array:
                Write(builder, JsonNode.Parse(element.GetRawText()));
                break;
            default:
                builder.Append(element.GetRawText());
                break;
        }
    }

    /// <summary>
    /// An object from members already in canonical form, sorted here: lets a caller canonicalize shared parts (a
    /// sample's parameters, a stage's settings) once and reuse them for every node.
    /// </summary>
    public static string ObjectOf(IEnumerable<KeyValuePair<string, string>> canonicalMembers)
    {
        var members = canonicalMembers.ToList();
        members.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var builder = new StringBuilder(members.Sum(m => m.Key.Length + m.Value.Length + 4) + 2).Append('{');
        var first = true;
        foreach (var (key, value) in members)
        {
            if (!first) builder.Append(',');
            first = false;
            // Member names repeat on every node of a graph (stage, plugin, params, ...): quoted once per process.
            builder.Append(QuotedName(key)).Append(':').Append(value);
        }
        return builder.Append('}').ToString();
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> QuotedNames = new(StringComparer.Ordinal);

    /// <summary>A member name as it appears in canonical JSON (quoted, escaped); names repeat, so each is made once.</summary>
    public static string QuotedName(string name) => QuotedNames.GetOrAdd(name, String);

    public static string String(string value)
    {
        var builder = new StringBuilder();
        WriteString(builder, value);
        return builder.ToString();
    }

    /// <summary>Integral doubles print as integers so that 5 and 5.0 are the same value.</summary>
    public static string Number(double d)
    {
        if (double.IsNaN(d)) return "\"NaN\"";
        if (double.IsInfinity(d)) return d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        if (d == Math.Floor(d) && Math.Abs(d) < 1e15) return ((long)d).ToString(CultureInfo.InvariantCulture);
        return d.ToString("R", CultureInfo.InvariantCulture);
    }

    private static readonly JsonSerializerOptions StringOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static void WriteString(StringBuilder builder, string s)
    {
        // Printable ASCII other than the quote and backslash is written as it is by the serializer too: a million
        // samples' choice values take the short way, the rest the serializer's.
        foreach (var c in s)
            if (c is < ' ' or > '~' or '"' or '\\')
            {
                builder.Append(JsonSerializer.Serialize(s, StringOptions));
                return;
            }
        builder.Append('"').Append(s).Append('"');
    }
}
