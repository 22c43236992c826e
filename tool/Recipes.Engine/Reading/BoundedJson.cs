using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins.Files;

namespace Recipes.Reading;

/// <summary>
/// JSON the tool did not just write itself (a project file, a run record, a bench file, a remote entry): read from a
/// regular file of bounded size (<see cref="RegularFile"/>), parsed with a depth limit, and refused as a whole with
/// one <see cref="RefusedFileException"/> naming the source when it is not valid JSON or not an object. Fields are
/// then taken with <see cref="JsonFields"/>, which checks each one's type instead of throwing a cast exception.
/// </summary>
public static class BoundedJson
{
    /// <summary>Nesting no record of this tool comes near; a deeper document is an attack or a mistake.</summary>
    public const int MaxDepth = 64;

    /// <summary>Project files, bench files and single run records: a megabyte of JSON is far more than any of them holds.</summary>
    public const long SmallFile = 1L << 20;

    /// <summary>A run record of a very large sweep (one line per node).</summary>
    public const long RecordFile = 64L << 20;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>The JSON value in <paramref name="utf8"/>; <paramref name="source"/> names it in the error.</summary>
    public static JsonNode Parse(ReadOnlySpan<byte> utf8, string source)
    {
        try
        {
            if (utf8.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
            // Trailing content after the value is an error of the parser, as is nesting deeper than MaxDepth.
            return JsonNode.Parse(utf8, documentOptions: Options) ?? throw new RefusedFileException(source, "holds null, not a JSON object");
        }
        catch (JsonException e)
        {
            throw new RefusedFileException(source, $"is not valid JSON ({FirstLine(e.Message)})");
        }
    }

    /// <summary>The JSON object in <paramref name="utf8"/>; anything else (an array, a number) is refused.</summary>
    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8, string source) =>
        Parse(utf8, source) as JsonObject ?? throw new RefusedFileException(source, "is not a JSON object ({...})");

    /// <summary>The JSON object in the regular file <paramref name="path"/> of at most <paramref name="maxBytes"/>.</summary>
    public static JsonObject ReadObject(string path, long maxBytes = SmallFile) => ParseObject(RegularFile.ReadAllBytes(path, maxBytes), path);

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
