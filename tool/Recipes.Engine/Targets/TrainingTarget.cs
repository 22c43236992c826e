using Recipes.Diagnostics;
using Recipes.Recipe;

namespace Recipes.Targets;

/// <summary>
/// A named entry of <c>targets:</c>: a model trained on the dataset (or on the outputs of the target it
/// <see cref="Needs"/>), with an optional evaluation, and the points of its sweep (one when it has none). The unnamed
/// target of <c>stages.train</c>/<c>stages.evaluate</c> is not one of these: its nodes and keys stay as they were.
/// </summary>
public sealed class TrainingTarget
{
    /// <summary>What <c>--target</c> calls the unnamed target of <c>stages.train</c>; no named target may take it.</summary>
    public const string DefaultName = "default";

    public required string Name { get; init; }

    /// <summary>The target whose train outputs this one reads besides the dataset, or null.</summary>
    public string? Needs { get; init; }

    /// <summary>One per combination of the sweep's values, in the order the sweep lists them; one point without a sweep.</summary>
    public required IReadOnlyList<SweepPoint> Points { get; init; }

    /// <summary>The swept settings as written (<c>learning_rate</c>, <c>evaluate.guidance</c>), in order; empty without a sweep.</summary>
    public required IReadOnlyList<string> Axes { get; init; }

    /// <summary>The metric that ranks points: its node (<c>train</c> or <c>evaluate</c>) and name; null to take the evaluator's first.</summary>
    public TargetMetric? Metric { get; init; }

    public bool Maximize { get; init; }

    public required SourceLocation Location { get; init; }

    public bool IsSwept => Axes.Count > 0;
}

/// <summary>A metric a target is ranked by: <c>Stage</c> is train or evaluate.</summary>
public sealed record TargetMetric(string Stage, string Name)
{
    public override string ToString() => $"{Stage}.{Name}";
}
