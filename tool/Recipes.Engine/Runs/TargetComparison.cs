using System.Text.Json.Nodes;

namespace Recipes.Runs;

/// <summary>
/// One named target of a run laid out for comparison: a row per point with its swept values and its train and evaluate
/// metrics (<c>train.final_loss</c>, <c>evaluate.rollout_mse</c>), ranked by the target's metric. What
/// <c>recipes runs --targets</c> prints and the report shows.
/// </summary>
public sealed record TargetComparison(RunTarget Target, string? Metric, IReadOnlyList<TargetRow> Rows)
{
    /// <summary>The row with the best ranking metric (lowest, or highest for goal: maximize), or null when no row has it.</summary>
    public TargetRow? Best => Metric is null ? null
        : Rows.Where(r => r.Metrics.ContainsKey(Metric)).OrderBy(r => Target.Maximize ? -r.Metrics[Metric] : r.Metrics[Metric]).FirstOrDefault();

    /// <summary>Every metric some row has, the ranking one first, then the evaluator's, then the trainer's.</summary>
    public IReadOnlyList<string> MetricNames => [.. Rows.SelectMany(r => r.Metrics.Keys).Distinct(StringComparer.Ordinal)
        .OrderBy(m => m == Metric ? 0 : m.StartsWith("evaluate.", StringComparison.Ordinal) ? 1 : 2).ThenBy(m => m, StringComparer.Ordinal)];

    /// <summary>A swept value as a cell: strings bare, numbers and the rest as JSON.</summary>
    public static string ValueText(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out string? text) ? text : value?.ToJsonString() ?? "null";

    /// <summary>The comparisons of every target <paramref name="record"/> holds, in the recipe's order.</summary>
    public static IReadOnlyList<TargetComparison> Of(RunRecord record) =>
        Of(record.Targets, record.Metrics, id => record.NodeList.FirstOrDefault(n => n.Id == id)?.Status);

    /// <summary>
    /// The comparisons of <paramref name="targets"/> with metrics named as run records name them
    /// (<see cref="RunMetrics"/>) and each node's status (null: not built).
    /// </summary>
    public static IReadOnlyList<TargetComparison> Of(IReadOnlyList<RunTarget> targets, JsonObject metrics, Func<string, string?> statusOf) =>
        [.. targets.Select(t => Of(t, metrics, statusOf))];

    private static TargetComparison Of(RunTarget target, JsonObject recorded, Func<string, string?> statusOf)
    {
        var rows = target.Points.Select(point =>
        {
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var (stage, node) in new[] { ("train", point.TrainNode(target.Name)), ("evaluate", point.EvaluateNode(target.Name)) })
                foreach (var (name, value) in recorded)
                    if (name.StartsWith(node + ".", StringComparison.Ordinal) && value is JsonValue v && v.TryGetValue(out double number) && double.IsFinite(number))
                        metrics[$"{stage}.{name[(node.Length + 1)..]}"] = number;
            var status = statusOf(target.HasEvaluate ? point.EvaluateNode(target.Name) : point.TrainNode(target.Name));
            return new TargetRow(point, metrics, status ?? "not built");
        }).ToList();
        var metric = target.Metric ?? rows.SelectMany(r => r.Metrics.Keys)
            .Where(k => k.StartsWith(target.HasEvaluate ? "evaluate." : "train.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).FirstOrDefault();
        return new TargetComparison(target, metric, rows);
    }
}

/// <summary>One point of a compared target: its metrics by <c>stage.name</c> and how its last node ended in the run.</summary>
public sealed record TargetRow(RunTargetPoint Point, IReadOnlyDictionary<string, double> Metrics, string Status);
