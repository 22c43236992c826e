using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plotting.Imaging;
using Recipes.Plotting.Plots;

namespace Recipes.Bench;

/// <summary>
/// Per fidelity level and device: the median time per sample over the measured runs (the warm-up run excluded), the
/// largest peak memory of one run, output size, the one-time costs reported apart (process start-up; what the
/// warm-up run took beyond the median), and the projected full sweep.
/// </summary>
public sealed record BenchRow(string Level, string Device, int Threads, int Runs, double SecondsPerSample, long PeakBytes, long OutputBytes,
    double? StartupSeconds, double? FirstRunExtraSeconds, BenchProjection.Projection Projection)
{
    public static IReadOnlyList<BenchRow> Summarize(IEnumerable<BenchMeasurement> measurements, int fullSamples, int workers, double? price) =>
        measurements.GroupBy(m => (m.Level, m.Device, m.Threads))
            .Select(g =>
            {
                var median = Median(g.Select(m => m.Seconds).ToList());
                var startup = g.Select(m => m.StartupSeconds).OfType<double>().DefaultIfEmpty(double.NaN).First();
                var warmUp = g.Select(m => m.WarmUpSeconds).OfType<double>().DefaultIfEmpty(double.NaN).First();
                return new BenchRow(g.Key.Level, g.Key.Device, g.Key.Threads, g.Count(), median, g.Max(m => m.PeakBytes),
                    (long)g.Average(m => m.OutputBytes), double.IsNaN(startup) ? null : startup, double.IsNaN(warmUp) ? null : Math.Max(0, warmUp - median),
                    BenchProjection.Project(fullSamples, median, workers, price));
            })
            .ToList();

    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var ordered = values.Order().ToList();
        return ordered.Count % 2 == 1 ? ordered[ordered.Count / 2] : (ordered[ordered.Count / 2 - 1] + ordered[ordered.Count / 2]) / 2;
    }

    public static JsonObject ToJson(string recipe, string parameter, IReadOnlyList<BenchRow> rows) => new()
    {
        ["recipe"] = recipe,
        ["parameter"] = parameter,
        ["rows"] = new JsonArray(rows.Select(r => (JsonNode?)new JsonObject
        {
            ["level"] = r.Level,
            ["device"] = r.Device,
            ["threads"] = r.Threads,
            ["runs"] = r.Runs,
            ["seconds_per_sample"] = Math.Round(r.SecondsPerSample, 6),
            ["peak_bytes"] = r.PeakBytes,
            ["output_bytes"] = r.OutputBytes,
            ["startup_seconds"] = r.StartupSeconds is { } startup ? Math.Round(startup, 4) : null,
            ["first_run_extra_seconds"] = r.FirstRunExtraSeconds is { } extra ? Math.Round(extra, 4) : null,
            ["projected_samples"] = r.Projection.Samples,
            ["workers"] = r.Projection.Workers,
            ["projected_wall_seconds"] = Math.Round(r.Projection.WallSeconds, 3),
            ["projected_machine_hours"] = Math.Round(r.Projection.MachineHours, 6),
            ["projected_cost"] = r.Projection.Cost is { } c ? Math.Round(c, 4) : null,
        }).ToArray()),
    };

    public static void Plot(string path, string parameter, IReadOnlyList<BenchRow> rows)
    {
        var plot = new LineChart($"Time per sample by {parameter}", parameter, "time per sample (s)", logY: true);
        foreach (var group in rows.GroupBy(r => $"{r.Device}:{r.Threads}"))
            plot.Add(group.Key, group.Select(r => (double.TryParse(r.Level, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : 0, Math.Max(r.SecondsPerSample, 1e-6))).OrderBy(p => p.Item1), markers: group.Count() == 1);
        plot.SavePng(path);
    }

    public static void Save(string directory, JsonObject json) =>
        File.WriteAllText(Path.Combine(directory, "bench.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
}
