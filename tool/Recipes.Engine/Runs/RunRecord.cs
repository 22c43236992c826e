using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Runs;

/// <summary>
/// What one <c>recipes build</c> leaves under <c>&lt;cache&gt;/runs/&lt;id&gt;.json</c>: when and what it built, with which
/// overrides and resolved parameters, per-stage and per-node times, node keys, final metrics and how it ended. Small on
/// purpose (no logs, no outputs): the cache entries hold those, and a record outlives them.
/// </summary>
public sealed record RunRecord
{
    /// <summary>The record format; a reader skips records of a newer format rather than misreading them.</summary>
    public const int CurrentFormat = 1;

    public required string Id { get; init; }
    public required RunStatus Status { get; init; }
    public required DateTime Started { get; init; }
    public DateTime? Ended { get; init; }
    public required string Recipe { get; init; }
    public required string RecipePath { get; init; }

    /// <summary>The key over the whole plan, as <c>recipes cache key</c> prints it.</summary>
    public required string PlanKey { get; init; }

    public required string Executor { get; init; }
    public required int Pid { get; init; }
    public required string Host { get; init; }

    /// <summary>The process's start time, so a reused pid is not mistaken for the build that wrote the record.</summary>
    public DateTime? ProcessStarted { get; init; }

    /// <summary>The <c>--set</c> arguments as given.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>Each <c>--set</c> path with the value it resolved to (typed as the recipe reads it).</summary>
    public JsonObject Set { get; init; } = [];

    /// <summary>Every scalar of the resolved recipe (after includes and overrides) by dotted path; lists as JSON arrays.</summary>
    public JsonObject Parameters { get; init; } = [];

    public int Nodes { get; init; }
    public int Executed { get; init; }
    public int Cached { get; init; }
    public int Failed { get; init; }
    public int Skipped { get; init; }
    public double Seconds { get; init; }
    public long? PeakRssBytes { get; init; }
    public IReadOnlyList<RunStage> Stages { get; init; } = [];
    public IReadOnlyList<RunNode> NodeList { get; init; } = [];

    /// <summary>Metrics of the nodes that are not per sample (dataset, train, evaluate), as <c>&lt;node&gt;.&lt;metric&gt;</c>.</summary>
    public JsonObject Metrics { get; init; } = [];

    /// <summary>The recipe's named training targets (<c>targets:</c>) with their sweep points; empty when it has none.</summary>
    public IReadOnlyList<RunTarget> Targets { get; init; } = [];

    /// <summary>The tool that wrote the record (<see cref="Versions.ToolVersion.Text"/>); null in records of older tools.</summary>
    public string? ToolVersion { get; init; }

    /// <summary>The commit and dirty flag of the Git repository holding the recipe; null outside a repository (or without Git).</summary>
    public Versions.SourceState? Source { get; init; }

    public static string StatusName(RunStatus status) => status.ToString().ToLowerInvariant();

    public JsonObject ToJson()
    {
        var json = Fields();
        // Absent rather than null: "not in a repository" is no value of its own, and older readers never saw the keys.
        if (ToolVersion is { } tool) json["tool_version"] = tool;
        if (Source is { } source)
        {
            json["git_commit"] = source.Commit;
            json["git_dirty"] = source.Dirty;
        }
        return json;
    }

    private JsonObject Fields() => new()
    {
        ["format"] = CurrentFormat,
        ["id"] = Id,
        ["status"] = StatusName(Status),
        ["started"] = Iso(Started),
        ["ended"] = Ended is { } ended ? Iso(ended) : null,
        ["recipe"] = Recipe,
        ["recipe_path"] = RecipePath,
        ["plan_key"] = PlanKey,
        ["executor"] = Executor,
        ["pid"] = Pid,
        ["host"] = Host,
        ["process_started"] = ProcessStarted is { } p ? Iso(p) : null,
        ["overrides"] = new JsonArray([.. Overrides.Select(o => (JsonNode?)JsonValue.Create(o))]),
        ["set"] = Set.DeepClone(),
        ["parameters"] = Parameters.DeepClone(),
        ["nodes"] = Nodes,
        ["executed"] = Executed,
        ["cached"] = Cached,
        ["failed"] = Failed,
        ["skipped"] = Skipped,
        ["seconds"] = Math.Round(Seconds, 3),
        ["peak_rss_bytes"] = PeakRssBytes,
        ["stages"] = new JsonArray([.. Stages.Select(s => (JsonNode?)new JsonObject
        {
            ["stage"] = s.Stage, ["nodes"] = s.Nodes, ["executed"] = s.Executed, ["cached"] = s.Cached, ["failed"] = s.Failed,
            ["skipped"] = s.Skipped, ["seconds"] = Math.Round(s.Seconds, 3), ["node_seconds"] = Math.Round(s.NodeSeconds, 3),
        })]),
        ["node_list"] = new JsonArray([.. NodeList.Select(n => (JsonNode?)NodeJson(n))]),
        ["metrics"] = Metrics.DeepClone(),
        ["targets"] = new JsonArray([.. Targets.Select(t => (JsonNode?)new JsonObject
        {
            ["name"] = t.Name,
            ["axes"] = new JsonArray([.. t.Axes.Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["metric"] = t.Metric,
            ["maximize"] = t.Maximize,
            ["evaluate"] = t.HasEvaluate,
            ["points"] = new JsonArray([.. t.Points.Select(p => (JsonNode?)new JsonObject { ["label"] = p.Label, ["values"] = p.Values.DeepClone() })]),
        })]),
    };

    private static JsonObject NodeJson(RunNode n)
    {
        var json = new JsonObject
        {
            ["id"] = n.Id, ["stage"] = n.Stage, ["status"] = n.Status, ["key"] = n.Key,
            ["seconds"] = n.Seconds is { } s ? Math.Round(s, 3) : null, ["peak_rss_bytes"] = n.PeakRssBytes,
        };
        // Only nodes that ran have times; left out, not null, for the others (most nodes of a rebuild).
        if (n.Started is { } started) json["started"] = Iso(started);
        if (n.Ended is { } ended) json["ended"] = Iso(ended);
        if (n.Sample is { } sample) json["sample"] = sample;
        return json;
    }

    /// <summary>Reads a record; null for anything that is not a record of a format this reader knows.</summary>
    public static RunRecord? FromJson(JsonNode? node)
    {
        if (node is not JsonObject o || Int(o, "format") is not (>= 1 and <= CurrentFormat)) return null;
        if (Text(o, "id") is not { } id || Text(o, "recipe") is not { } recipe || Date(o, "started") is not { } started) return null;
        if (!Enum.TryParse<RunStatus>(Text(o, "status"), ignoreCase: true, out var status)) return null;
        return new RunRecord
        {
            Id = id,
            Status = status,
            Started = started,
            Ended = Date(o, "ended"),
            Recipe = recipe,
            RecipePath = Text(o, "recipe_path") ?? "",
            PlanKey = Text(o, "plan_key") ?? "",
            Executor = Text(o, "executor") ?? "local",
            Pid = Int(o, "pid"),
            Host = Text(o, "host") ?? "",
            ProcessStarted = Date(o, "process_started"),
            Overrides = (o["overrides"] as JsonArray)?.Select(v => v?.ToString() ?? "").ToList() ?? [],
            Set = (o["set"] as JsonObject)?.DeepClone().AsObject() ?? [],
            Parameters = (o["parameters"] as JsonObject)?.DeepClone().AsObject() ?? [],
            Nodes = Int(o, "nodes"),
            Executed = Int(o, "executed"),
            Cached = Int(o, "cached"),
            Failed = Int(o, "failed"),
            Skipped = Int(o, "skipped"),
            Seconds = Number(o, "seconds") ?? 0,
            PeakRssBytes = Long(o, "peak_rss_bytes"),
            // A stage name this tool does not know cannot be ordered by diff (found by the fuzz suite): a damaged line is dropped.
            Stages = (o["stages"] as JsonArray)?.OfType<JsonObject>().Where(s => Text(s, "stage") is { } name && StageNames.IsStage(name)).Select(s => new RunStage(Text(s, "stage") ?? "", Int(s, "nodes"), Int(s, "executed"),
                Int(s, "cached"), Int(s, "failed"), Int(s, "skipped"), Number(s, "seconds") ?? 0, Number(s, "node_seconds") ?? 0)).ToList() ?? [],
            NodeList = (o["node_list"] as JsonArray)?.OfType<JsonObject>().Select(n => new RunNode(Text(n, "id") ?? "", Text(n, "stage") ?? "",
                Text(n, "status") ?? "", Text(n, "key"), Number(n, "seconds"), Long(n, "peak_rss_bytes"))
            { Started = Date(n, "started"), Ended = Date(n, "ended"), Sample = Text(n, "sample") is { } id && Hashing.ContentHash.IsValid(id) ? id : null }).ToList() ?? [],
            Metrics = (o["metrics"] as JsonObject)?.DeepClone().AsObject() ?? [],
            Targets = (o["targets"] as JsonArray)?.OfType<JsonObject>().Select(ReadTarget).OfType<RunTarget>().ToList() ?? [],
            ToolVersion = Text(o, "tool_version"),
            Source = Text(o, "git_commit") is { } commit && o["git_dirty"] is JsonValue d && d.TryGetValue(out bool dirty) ? new Versions.SourceState(commit, dirty) : null,
        };
    }

    /// <summary>A recorded target, or null when a field has the wrong type (a damaged record still lists its other targets).</summary>
    private static RunTarget? ReadTarget(JsonObject t)
    {
        if (Text(t, "name") is not { } name) return null;
        var axes = (t["axes"] as JsonArray)?.Select(a => a is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>().ToList() ?? [];
        var points = (t["points"] as JsonArray)?.OfType<JsonObject>()
            .Select(p => Text(p, "label") is { } label ? new RunTargetPoint(label, (p["values"] as JsonObject)?.DeepClone().AsObject() ?? []) : null)
            .OfType<RunTargetPoint>().ToList() ?? [];
        return new RunTarget(name, axes, Text(t, "metric"), t["maximize"] is JsonValue m && m.TryGetValue(out bool max) && max, points,
            t["evaluate"] is JsonValue e && e.TryGetValue(out bool evaluate) && evaluate);
    }

    public static string Iso(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string? Text(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
    private static int Int(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue(out int i) ? i : 0;
    private static long? Long(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue(out long l) ? l : null;
    // 1e999 parses as infinity, which runs --json and the report could not write back (found by the fuzz suite): absent instead.
    private static double? Number(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d) ? d : null;

    private static DateTime? Date(JsonObject o, string name) =>
        Text(o, name) is { } text && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
