using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Plotting.Plots;
using Recipes.Runs;

namespace Recipes.Report;

/// <summary>
/// A swept target's ranking metric against one swept setting: a line per combination of the other swept settings,
/// the best point's line first. The setting is on a log axis when it spans a factor of ten or more (learning rates).
/// </summary>
public static class TargetChart
{
    /// <summary>The first swept setting whose values are all numbers, or null (nothing to draw against).</summary>
    public static string? DefaultAxis(TargetComparison comparison) =>
        comparison.Target.Axes.FirstOrDefault(a => comparison.Rows.All(r => Number(r.Point.Values[a]) is not null));

    /// <summary>The PNG, or null when the target has no numeric swept setting or no row has the metric.</summary>
    public static byte[]? Draw(TargetComparison comparison, string? axis = null, string? metric = null)
    {
        axis ??= DefaultAxis(comparison);
        metric ??= comparison.Metric;
        if (axis is null || metric is null || !comparison.Target.Axes.Contains(axis)) return null;
        var rows = comparison.Rows.Where(r => r.Metrics.ContainsKey(metric) && Number(r.Point.Values[axis]) is not null).ToList();
        if (rows.Count == 0) return null;
        var xs = rows.Select(r => Number(r.Point.Values[axis])!.Value).ToList();
        var logX = xs.All(x => x > 0) && xs.Max() / xs.Min() >= 10;
        var ys = rows.Select(r => r.Metrics[metric]).ToList();
        var logY = ys.All(y => y > 0) && ys.Max() / ys.Min() >= 10;
        var others = comparison.Target.Axes.Where(a => a != axis).ToList();
        // An evaluator's metric is named as metric: names it (rollout_mse), a training one keeps its "train." prefix.
        var shown = metric.StartsWith("evaluate.", StringComparison.Ordinal) ? metric["evaluate.".Length..] : metric;
        var chart = new LineChart($"{comparison.Target.Name}: {shown} against {axis} ({(comparison.Target.Maximize ? "higher" : "lower")} is better)",
            axis, shown, logY: logY, logX: logX);
        var best = comparison.Best;
        var series = rows.GroupBy(r => string.Join(", ", others.Select(o => $"{o}={TargetComparison.ValueText(r.Point.Values[o])}")))
            .OrderBy(g => best is not null && g.Contains(best) ? 0 : 1);
        foreach (var group in series)
        {
            var label = group.Key.Length == 0 ? comparison.Target.Name : group.Key;
            if (best is not null && group.Contains(best)) label += " (best)";
            chart.Add(label, group.Select(r => (Number(r.Point.Values[axis])!.Value, r.Metrics[metric])), markers: group.Count() == 1);
        }
        // The best point itself, not only its line: with several lines crossing, the legend alone leaves it to be found.
        if (best is not null && rows.Contains(best))
            chart.Add("best point", [(Number(best.Point.Values[axis])!.Value, best.Metrics[metric])], markers: true);
        return chart.RenderPng();
    }

    private static double? Number(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d) ? d : null;
}
