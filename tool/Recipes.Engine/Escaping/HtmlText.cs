using System.Net;

namespace Recipes.Escaping;

/// <summary>
/// Text from files and arguments (a recipe's description, a bench file's fields, a metric name, a picture's path) as it
/// goes into the HTML report: control characters shown as <see cref="TerminalText"/> shows them (a browser would hide
/// or misrender them), then every character with a meaning in HTML (<c>&lt; &gt; &amp; " '</c>) encoded, so the text
/// is safe both between tags and inside a quoted attribute. The one HTML escaper: nothing reaches the report raw.
/// </summary>
public static class HtmlText
{
    public static string Encode(string? text) => WebUtility.HtmlEncode(TerminalText.Clean(text));

    /// <summary>Any JSON value (a bench file's cell), as text: strings bare, everything else as compact JSON.</summary>
    public static string Encode(System.Text.Json.Nodes.JsonNode? value) =>
        Encode(value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out string? s) ? s : value?.ToJsonString(Relaxed) ?? "");

    // The JSON is HTML-encoded afterwards, so its own \u escapes for < > & would only make it unreadable.
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
