using System.Text.Json.Nodes;

namespace Recipes.Runs;

/// <summary>
/// A named training target as a run recorded it: its swept settings, the metric that ranks its points (and whether
/// higher is better), and each point's label and values. With the run's metrics it makes the comparison table of
/// <c>recipes runs --targets</c> and the report, long after the recipe file changed.
/// </summary>
public sealed record RunTarget(string Name, IReadOnlyList<string> Axes, string? Metric, bool Maximize, IReadOnlyList<RunTargetPoint> Points, bool HasEvaluate)
{
    /// <summary>A recipe's target as a run records it.</summary>
    public static RunTarget From(Targets.TrainingTarget target) => new(target.Name, target.Axes, target.Metric?.ToString(), target.Maximize,
        [.. target.Points.Select(p => new RunTargetPoint(p.Label, new JsonObject(p.Values.Select(v => new KeyValuePair<string, JsonNode?>(v.Key, v.Value?.DeepClone())))))],
        target.Points.Any(p => p.Evaluate is not null));
}

/// <summary>One point of a target: its label (empty without a sweep) and the value of each swept setting.</summary>
public sealed record RunTargetPoint(string Label, JsonObject Values)
{
    /// <summary>The point's train node id; the evaluate node's is the same after <c>evaluate/</c>.</summary>
    public string TrainNode(string target) => $"train/{NameIn(target)}";

    public string EvaluateNode(string target) => $"evaluate/{NameIn(target)}";

    /// <summary><c>TARGET</c> or <c>TARGET@LABEL</c>, as <c>--target</c> takes it.</summary>
    public string NameIn(string target) => Label.Length == 0 ? target : $"{target}@{Label}";
}
