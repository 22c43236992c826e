using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Graph;

namespace Recipes.Reporting;

/// <summary><c>--log-format json</c>: one JSON object per line and per node event (queued, started, cached, finished, failed, skipped).</summary>
public sealed class JsonEventReporter : IBuildReporter
{
    private readonly TextWriter _out;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();

    public JsonEventReporter(TextWriter output) => _out = output;

    private void Emit(string kind, GraphNode? node, Action<JsonObject>? extra = null)
    {
        var e = new JsonObject { ["event"] = kind, ["time"] = Math.Round(_clock.Elapsed.TotalSeconds, 3) };
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
    public void Progress(GraphNode node, double fraction) { }
    public void Finished(GraphNode node, NodeResult result) => Emit("finished", node, e => e["seconds"] = Math.Round(result.Seconds, 3));

    public void Failed(GraphNode node, NodeResult result) => Emit("failed", node, e =>
    {
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
