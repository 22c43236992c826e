using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recipes.Cache;
using Recipes.Plugins.Files;
using Recipes.Reading;

namespace Recipes.Runs;

/// <summary>
/// The run records under <c>&lt;cache&gt;/runs/</c>: written atomically (a killed build leaves the last whole record, never a
/// torn one), listed newest first, resolved from ids, unique prefixes and <c>HEAD~N</c>, and trimmed by <c>cache gc</c>.
/// A record still <c>running</c> whose process is gone (same host, pid not alive or reused) reads as interrupted.
/// </summary>
public sealed partial class RunStore
{
    /// <summary>How many records <c>cache gc</c> keeps unless told otherwise.</summary>
    public const int DefaultKeep = 100;

    public RunStore(string cacheRoot) => Root = Path.Combine(Path.GetFullPath(cacheRoot), "runs");

    public string Root { get; }

    /// <summary>
    /// Where a record that cannot be read is reported (once per file and store): a damaged, hand-edited or planted
    /// record is skipped with one warning, never fatal and never trusted. Standard error unless a command says otherwise.
    /// </summary>
    public Action<string> Warn { get; init; } = message => Console.Error.WriteLine("warning: " + Escaping.TerminalText.Clean(message));

    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    /// <summary>
    /// A new id: the UTC start time to the millisecond (so ids sort by time, as file names and as text) and six random
    /// hex digits (so two builds started in the same millisecond, by two processes, never share one).
    /// </summary>
    public static string NewId(DateTime startedUtc) =>
        startedUtc.ToUniversalTime().ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" +
        Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));

    /// <summary>
    /// Writes a record atomically: indented, except that each node is one line, which keeps a record of ten thousand
    /// nodes near a megabyte while a person can still read it (or <c>grep</c> a node).
    /// </summary>
    public void Save(RunRecord record)
    {
        var json = record.ToJson();
        var nodes = json["node_list"]!.AsArray().Select(n => "    " + n!.ToJsonString(Compact)).ToList();
        json.Remove("node_list");
        var text = json.ToJsonString(Indented);
        text = text[..text.LastIndexOf('}')].TrimEnd() + ",\n  \"node_list\": [" +
               (nodes.Count == 0 ? "]" : "\n" + string.Join(",\n", nodes) + "\n  ]") + "\n}\n";
        AtomicFile.WriteAllText(Path.Combine(Root, record.Id + ".json"), text);
    }

    /// <summary>
    /// <see cref="Save"/>, except that a record that cannot be written (a read-only or full cache) is one warning, not a
    /// failed build: a no-op build or <c>status</c> on a cache the user may only read still works.
    /// </summary>
    public bool TrySave(RunRecord record)
    {
        try
        {
            Save(record);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_warned)
                if (_warned.Add("save")) Warn($"could not write run record {record.Id} ({e.Message}); the build goes on without it");
            return false;
        }
    }

    // Without \u escapes for < > ' &: a record is meant to be read by people too.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every readable record, newest first; with <paramref name="recipe"/>, only that recipe's (by name, or by file path).</summary>
    public IReadOnlyList<RunRecord> List(string? recipe = null)
    {
        if (!Directory.Exists(Root)) return [];
        var records = new List<RunRecord>();
        foreach (var file in Directory.EnumerateFiles(Root, "*.json"))
        {
            if (Path.GetFileName(file).StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal)) continue;
            var record = Read(file, out var problem);
            if (problem is not null)
            {
                lock (_warned)
                    if (_warned.Add(file)) Warn($"run record {Escaping.TerminalText.Clean(Path.GetFileName(file))} skipped: {problem}");
            }
            if (record is null || (recipe is not null && !Matches(record, recipe))) continue;
            records.Add(record.Status == RunStatus.Running && !IsAlive(record) ? record with { Status = RunStatus.Interrupted } : record);
        }
        return records.OrderByDescending(r => r.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The run <paramref name="reference"/> names: <c>HEAD</c> (the newest), <c>HEAD~N</c> (N before it), <c>HEAD^</c>,
    /// a whole id or a unique prefix of one. <c>HEAD</c> counts among <paramref name="recipe"/>'s runs when given, else all.
    /// </summary>
    /// <exception cref="RunLookupException">No run, or more than one, matches.</exception>
    public RunRecord Resolve(string reference, string? recipe = null)
    {
        var runs = List(recipe);
        var scope = recipe is null ? "" : $" of {recipe}";
        var relative = RelativePattern().Match(reference.Trim());
        if (relative.Success)
        {
            // HEAD~99999999999 is out of range like HEAD~99, not an overflow.
            var back = relative.Groups[1].Value switch
            {
                "" => 0,
                "^" or "~" => 1,
                var t => int.TryParse(t.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue,
            };
            if (back < runs.Count) return runs[back];
            throw new RunLookupException(runs.Count == 0
                ? $"{reference}: no runs recorded{scope} yet; 'recipes build' records one"
                : $"{reference}: only {runs.Count} run{(runs.Count == 1 ? "" : "s")} recorded{scope} (HEAD to HEAD~{runs.Count - 1})");
        }
        if (reference.Length == 0) throw new RunLookupException("an empty run reference; give an id, a prefix of one, HEAD or HEAD~N");
        var matches = runs.Where(r => r.Id.StartsWith(reference, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new RunLookupException($"no run '{reference}'{scope}; 'recipes runs' lists them"),
            _ => matches.FirstOrDefault(r => r.Id.Equals(reference, StringComparison.OrdinalIgnoreCase))
                 ?? throw new RunLookupException($"'{reference}' matches {matches.Count} runs ({string.Join(", ", matches.Take(3).Select(r => r.Id))}{(matches.Count > 3 ? ", ..." : "")}); give more of the id"),
        };
    }

    /// <summary>
    /// Removes records beyond the newest <paramref name="keep"/> and, with <paramref name="maxAge"/>, records that ended
    /// longer ago than that. A build still running keeps its record.
    /// </summary>
    public int Trim(int keep, TimeSpan? maxAge, DateTime nowUtc)
    {
        var removed = 0;
        var runs = List();
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            if (run.Status == RunStatus.Running) continue;
            var old = maxAge is { } age && nowUtc - (run.Ended ?? run.Started) > age;
            if (i < keep && !old) continue;
            // The id was checked against its file name when read; Under is the last guard before a delete.
            AtomicFile.TryDelete(OutputPaths.Under(Root, run.Id + ".json"));
            removed++;
        }
        return removed;
    }

    public static bool Matches(RunRecord record, string recipe) =>
        record.Recipe == recipe ||
        (recipe.Contains('/', StringComparison.Ordinal) || recipe.EndsWith(".yaml", StringComparison.Ordinal) || recipe.EndsWith(".yml", StringComparison.Ordinal))
        && string.Equals(Path.GetFullPath(recipe), record.RecipePath, StringComparison.Ordinal);

    /// <summary>Whether the process that wrote a running record is still there; on another host, assumed so (it cannot be checked).</summary>
    public static bool IsAlive(RunRecord record)
    {
        if (record.Host != Environment.MachineName) return true;
        try
        {
            using var process = Process.GetProcessById(record.Pid);
            if (process.HasExited) return false;
            // A pid reused by a later process is not the build.
            return record.ProcessStarted is not { } started || Math.Abs((process.StartTime.ToUniversalTime() - started).TotalSeconds) < 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>
    /// A record read through the bounded JSON reader, or null with <paramref name="problem"/> saying why (null for a
    /// record of a newer format, which is skipped silently). Its id must be its file's name and a single path segment,
    /// because <c>cache gc</c> deletes by id; its nodes must be distinct, because <c>diff</c> pairs them by id.
    /// </summary>
    private static RunRecord? Read(string file, out string? problem)
    {
        problem = null;
        RunRecord? record;
        try
        {
            var json = BoundedJson.ReadObject(file, BoundedJson.RecordFile);
            if (json["format"] is JsonValue f && f.TryGetValue(out int format) && format > RunRecord.CurrentFormat) return null;
            record = RunRecord.FromJson(json);
        }
        catch (RefusedFileException e)
        {
            problem = e.Reason;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return null;
        }
        if (record is null)
        {
            problem = "not a run record (format, id, recipe, status or started missing or of the wrong type)";
            return null;
        }
        problem = IdProblem(record.Id, Path.GetFileNameWithoutExtension(file)) ?? DuplicateNode(record);
        return problem is null ? record : null;
    }

    /// <summary>Why <paramref name="id"/> cannot be the id of the record stored as <paramref name="stem"/>.json, or null.</summary>
    public static string? IdProblem(string id, string stem)
    {
        if (OutputPaths.Problem(id) is { } problem) return $"its id is not a plain file name ({problem})";
        if (id.Contains('/', StringComparison.Ordinal)) return "its id is not a plain file name (it has a '/')";
        return id == stem ? null : $"its id '{Escaping.TerminalText.Clean(id)}' is not its file name";
    }

    private static string? DuplicateNode(RunRecord record)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in record.NodeList)
            if (!seen.Add(node.Id)) return $"it lists node '{Escaping.TerminalText.Clean(node.Id)}' twice";
        return null;
    }

    [GeneratedRegex(@"^HEAD((?:~[0-9]+)|\^|~)?$", RegexOptions.IgnoreCase)]
    private static partial Regex RelativePattern();
}
