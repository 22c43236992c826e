using System.Text.Json.Nodes;
using Recipes.Plugins.Files;

namespace Recipes.Reading;

/// <summary>
/// Typed fields of an untrusted JSON object: each is absent (null), or of the type asked for, or the whole source is
/// refused with one <see cref="RefusedFileException"/> naming the source and the field ("url: a number where a
/// string belongs"). Nothing here throws a cast, overflow or format exception: a number where a name belongs, a size
/// of 1e20, a non-finite value all read as refusals. <c>at</c> prefixes the field's name in messages (<c>remote_cache.</c>).
/// </summary>
public static class JsonFields
{
    public static string? Text(JsonObject o, string name, string source, string at = "") => o[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        var other => throw Wrong(source, at + name, other, "a string"),
    };

    public static bool? Bool(JsonObject o, string name, string source, string at = "") => o[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out bool b) => b,
        var other => throw Wrong(source, at + name, other, "true or false"),
    };

    /// <summary>A finite number (JSON cannot hold NaN, but 1e999 parses as infinity).</summary>
    public static double? Number(JsonObject o, string name, string source, string at = "") => o[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) && double.IsFinite(d) => d,
        var other => throw Wrong(source, at + name, other, "a finite number"),
    };

    /// <summary>A whole number from <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    public static long? Integer(JsonObject o, string name, string source, long minimum = long.MinValue, long maximum = long.MaxValue, string at = "") => o[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out long l) && l >= minimum && l <= maximum => l,
        var other => throw Wrong(source, at + name, other, $"a whole number from {minimum} to {maximum}"),
    };

    public static JsonObject? Object(JsonObject o, string name, string source, string at = "") => o[name] switch
    {
        null => null,
        JsonObject child => child,
        var other => throw Wrong(source, at + name, other, "an object ({...})"),
    };

    public static JsonArray? Array(JsonObject o, string name, string source, string at = "") => o[name] switch
    {
        null => null,
        JsonArray child => child,
        var other => throw Wrong(source, at + name, other, "a list ([...])"),
    };

    /// <summary>What a JSON value is, in words, for messages.</summary>
    public static string Kind(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue v when v.TryGetValue(out string? _) => "a string",
        JsonValue v when v.TryGetValue(out bool _) => "a boolean",
        JsonValue v when v.TryGetValue(out long _) => "a whole number",
        JsonValue v when v.TryGetValue(out double d) => double.IsFinite(d) ? "a number" : "a number out of range",
        _ => "a number",
    };

    private static RefusedFileException Wrong(string source, string name, JsonNode? value, string expected) =>
        new(source, $"{name} is {Kind(value)} where {expected} belongs");
}
