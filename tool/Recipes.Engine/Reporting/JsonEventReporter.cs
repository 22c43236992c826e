using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Graph;

namespace Recipes.Reporting;

/// <summary>
/// <c>--log-format json</c>: one JSON object per line and per node event (queued, started, progress, cached, finished,
/// failed, skipped). Every event has <c>time</c> (seconds since the build started) and <c>utc</c> (ISO 8601, UTC, ms).
/// Progress events carry <c>fraction</c> and come at most every <see cref="ProgressInterval"/> per node (a trainer
/// reports every step; a log reader wants a pulse, not thousands of lines), the first one at once.
/// </summary>
public sealed class JsonEventReporter : IBuildReporter
{
    /// <summary>Shortest time between two progress events of one node: at most two a second.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    private readonly TextWriter _out;
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, long> _lastProgress = [];

    public JsonEventReporter(TextWriter output, TimeProvider? time = null)
    {
        _out = output;
        _time = time ?? TimeProvider.System;
        _start = _time.GetTimestamp();
    }

    private void Emit(string kind, GraphNode? node, Action<JsonObject>? extra = null)
    {
        var e = new JsonObject
        {
            ["event"] = kind,
            ["time"] = Math.Round(_time.GetElapsedTime(_start).TotalSeconds, 3),
            ["utc"] = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (node is not null)
        {
            e["node"] = node.Id;
            e["stage"] = node.StageName;
        }
        extra?.Invoke(e);
        var line = e.ToJsonString();
        lock (_lock) _out.WriteLine(line);
    }

    public void Planned(BuildGraph graph) => Emit("planned", null, e =>
    {
        e["recipe"] = graph.Recipe.Name;
        e["nodes"] = graph.Nodes.Count;
        e["samples"] = graph.Samples.Count;
    });

    public void Cached(GraphNode node) => Emit("cached", node);
    public void Queued(GraphNode node) => Emit("queued", node);
    public void Started(GraphNode node) => Emit("started", node);

    public void Progress(GraphNode node, double fraction)
    {
        if (!double.IsFinite(fraction)) return;
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            // A report posted before the node settled may arrive after its finished event: it is dropped.
            if (_lastProgress.TryGetValue(node.Index, out var last) && (last == Settled || _time.GetElapsedTime(last, now) < ProgressInterval)) return;
            _lastProgress[node.Index] = now;
        }
        Emit("progress", node, e => e["fraction"] = Math.Round(Math.Clamp(fraction, 0, 1), 4));
    }

    private const long Settled = long.MaxValue;

    private void Settle(GraphNode node)
    {
        lock (_lock) _lastProgress[node.Index] = Settled;
    }

    public void Finished(GraphNode node, NodeResult result)
    {
        Settle(node);
        Emit("finished", node, e => e["seconds"] = Math.Round(result.Seconds, 3));
    }

    public void Failed(GraphNode node, NodeResult result) => Emit("failed", node, e =>
    {
        Settle(node);
        e["error"] = result.Error;
        e["log_tail"] = result.LogTail;
    });

    public void Skipped(GraphNode node, string reason) => Emit("skipped", node, e => e["reason"] = reason);
    public void Warning(string message) => Emit("warning", null, e => e["message"] = message);
    public void Completed(BuildSummary summary) { }

    public static JsonObject SummaryJson(BuildSummary summary)
    {
        var json = new JsonObject
        {
            ["nodes"] = summary.Nodes,
            ["executed"] = summary.Executed,
            ["cached"] = summary.Cached,
            ["failed"] = summary.Failed,
            ["skipped"] = summary.Skipped,
            ["seconds"] = Math.Round(summary.Seconds, 3),
            ["interrupted"] = summary.Interrupted,
            ["exit_code"] = summary.ExitCode,
        };
        if (summary.OutputDirectory is not null) json["out"] = summary.OutputDirectory;
        if (summary.Remote is { } remote)
            json["remote"] = new JsonObject
            {
                ["hits"] = remote.Hits,
                ["uploads"] = remote.Uploads,
                ["rejected"] = remote.Rejected,
                ["failed"] = remote.Failed,
                ["bytes_down"] = remote.BytesDown,
                ["bytes_up"] = remote.BytesUp,
                ["disabled"] = remote.Disabled,
            };
        if (summary.Slurm is { } slurm)
            json["slurm"] = new JsonObject { ["jobs"] = slurm.Jobs, ["array_tasks"] = slurm.ArrayTasks, ["resubmitted"] = slurm.Resubmitted };
        json["stages"] = new JsonObject(summary.Stages.OrderBy(s => s.Key, Plugins.StageNames.PipelineOrder).Select(s => new KeyValuePair<string, JsonNode?>(s.Key, new JsonObject
        {
            ["nodes"] = s.Value.Nodes,
            ["executed"] = s.Value.Executed,
            ["cached"] = s.Value.Cached,
            ["failed"] = s.Value.Failed,
            ["skipped"] = s.Value.Skipped,
        })));
        return json;
    }

    public static string Serialize(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
