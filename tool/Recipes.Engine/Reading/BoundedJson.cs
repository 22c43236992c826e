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

    // A name given twice in one object is refused while parsing: JsonObject would otherwise throw an ArgumentException
    // the first time the object is read (found by the fuzz suite: a .recipes.json with "slurm" twice ended the build).
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, AllowDuplicateProperties = false };

    /// <summary>The JSON value in <paramref name="utf8"/>; <paramref name="source"/> names it in the error.</summary>
    public static JsonNode Parse(ReadOnlySpan<byte> utf8, string source)
    {
        try
        {
            if (utf8.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
            // The parser reads strings lazily: bytes that are not UTF-8, or a \ud800 escape that is no character, would
            // throw InvalidOperationException wherever a field is first read (found by the fuzz suite in project files,
            // run records and result files), so both are refused here, before anything reads a field.
            if (!System.Text.Unicode.Utf8.IsValid(utf8)) throw new RefusedFileException(source, "is not UTF-8 text");
            // Trailing content after the value is an error of the parser, as is nesting deeper than MaxDepth.
            var node = JsonNode.Parse(utf8, documentOptions: Options) ?? throw new RefusedFileException(source, "holds null, not a JSON object");
            CheckStrings(node, source);
            return node;
        }
        catch (JsonException e)
        {
            throw new RefusedFileException(source, $"is not valid JSON ({FirstLine(e.Message)})");
        }
    }

    /// <summary>Reads every name and string once, so that one that is not valid Unicode is a refusal now rather than an exception later.</summary>
    private static void CheckStrings(JsonNode node, string source)
    {
        try
        {
            var pending = new Stack<JsonNode>();
            pending.Push(node);
            while (pending.TryPop(out var current))
            {
                switch (current)
                {
                    case JsonObject o:
                        foreach (var (_, child) in o)
                            if (child is not null) pending.Push(child);
                        break;
                    case JsonArray a:
                        foreach (var child in a)
                            if (child is not null) pending.Push(child);
                        break;
                    case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                        _ = v.GetValue<string>();
                        break;
                }
            }
        }
        catch (InvalidOperationException)
        {
            throw new RefusedFileException(source, "holds text that is not valid Unicode (an escape such as \\ud800 that is no character)");
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
