using System.Globalization;
using System.Text.Json;
using Recipes.Plugins.Files;
using Recipes.Reading;
using Recipes.Runs;

namespace Recipes.Lineage;

/// <summary>
/// The run records of one recipe read for lineage only: each record's header (id, status, times, recipe file,
/// overrides, tool version, commit) and, of its node list, only the nodes whose keys are wanted. A 10,000-sample
/// sweep's record holds 20,000 nodes (4 MB); building the whole document of every record took <c>why</c> past a second,
/// while one forward pass of the reader over the bytes, keeping a handful of nodes, takes milliseconds. Bounded like
/// every record read (a regular file of at most <see cref="BoundedJson.RecordFile"/> bytes, the same nesting limit);
/// a record that does not read is skipped, as <c>runs</c> skips it (and warns there).
/// </summary>
public static class RunRecordScan
{
    /// <summary>
    /// The records of <paramref name="recipe"/> (its name; every recipe's when null) newest first, with the nodes
    /// <paramref name="wanted"/> keeps (none when null).
    /// </summary>
    public static IReadOnlyList<RunRecord> Read(string cacheRoot, string? recipe, Func<string, bool>? wanted)
    {
        var root = new RunStore(cacheRoot).Root;
        if (!Directory.Exists(root)) return [];
        var records = new List<RunRecord>();
        foreach (var file in Directory.EnumerateFiles(root, "*.json"))
        {
            if (Path.GetFileName(file).StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal)) continue;
            RunRecord? record;
            try
            {
                record = Scan(RegularFile.ReadAllBytes(file, BoundedJson.RecordFile), wanted);
            }
            catch (Exception e) when (e is RefusedFileException or IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
            {
                continue;
            }
            if (record is null || (recipe is not null && record.Recipe != recipe) || RunStore.IdProblem(record.Id, Path.GetFileNameWithoutExtension(file)) is not null) continue;
            records.Add(record);
        }
        return records.OrderByDescending(r => r.Id, StringComparer.Ordinal).ToList();
    }

    private static RunRecord? Scan(ReadOnlySpan<byte> bytes, Func<string, bool>? wanted)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = BoundedJson.MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        int format = 0;
        string? id = null, status = null, recipe = null, recipePath = null, tool = null, commit = null;
        DateTime? started = null, ended = null;
        bool? dirty = null;
        var overrides = new List<string>();
        var nodes = new List<RunNode>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "format": format = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var f) ? f : 0; break;
                case "id": id = Text(ref reader); break;
                case "status": status = Text(ref reader); break;
                case "recipe": recipe = Text(ref reader); break;
                case "recipe_path": recipePath = Text(ref reader); break;
                case "tool_version": tool = Text(ref reader); break;
                case "git_commit": commit = Text(ref reader); break;
                case "git_dirty": dirty = reader.TokenType switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => null }; break;
                case "started": started = Date(Text(ref reader)); break;
                case "ended": ended = Date(Text(ref reader)); break;
                case "overrides" when reader.TokenType == JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        if (reader.TokenType == JsonTokenType.String) overrides.Add(reader.GetString()!);
                        else reader.Skip();
                    break;
                case "node_list" when reader.TokenType == JsonTokenType.StartArray && wanted is not null:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            reader.Skip();
                            continue;
                        }
                        if (Node(ref reader, wanted) is { } node) nodes.Add(node);
                    }
                    break;
                default: reader.Skip(); break;
            }
        }
        if (format is < 1 or > RunRecord.CurrentFormat || id is null || recipe is null || started is null) return null;
        if (!Enum.TryParse<RunStatus>(status, ignoreCase: true, out var runStatus)) return null;
        return new RunRecord
        {
            Id = id, Status = runStatus, Started = started.Value, Ended = ended, Recipe = recipe, RecipePath = recipePath ?? "",
            PlanKey = "", Executor = "", Pid = 0, Host = "", Overrides = overrides, NodeList = nodes, ToolVersion = tool,
            Source = commit is not null && dirty is { } d ? new Versions.SourceState(commit, d) : null,
        };
    }

    /// <summary>One node object (the reader on its start); null when its key is not wanted or it lacks an id or key.</summary>
    private static RunNode? Node(ref Utf8JsonReader reader, Func<string, bool> wanted)
    {
        string? id = null, stage = null, status = null, key = null;
        DateTime? started = null, ended = null;
        // 20,000 nodes a record: names compared as UTF-8 bytes, not turned into strings, and times parsed only for nodes kept.
        string? startedText = null, endedText = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8)) { reader.Read(); id = Text(ref reader); }
            else if (reader.ValueTextEquals("stage"u8)) { reader.Read(); stage = Text(ref reader); }
            else if (reader.ValueTextEquals("status"u8)) { reader.Read(); status = Text(ref reader); }
            else if (reader.ValueTextEquals("key"u8)) { reader.Read(); key = Text(ref reader); }
            else if (reader.ValueTextEquals("started"u8)) { reader.Read(); startedText = Text(ref reader); }
            else if (reader.ValueTextEquals("ended"u8)) { reader.Read(); endedText = Text(ref reader); }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (id is null || key is null || !wanted(key)) return null;
        started = Date(startedText);
        ended = Date(endedText);
        return new RunNode(id, stage ?? "", status ?? "", key, null, null) { Started = started, Ended = ended };
    }

    private static string? Text(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        reader.Skip();
        return null;
    }

    private static DateTime? Date(string? text) =>
        text is not null && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
