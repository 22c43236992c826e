using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Cli;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Plugins;
using Recipes.Plotting.Plots;
using Recipes.Runs;

namespace Recipes.Report;

/// <summary>Gathers a <see cref="ReportInput"/> from the cache (states, node times, metrics) and the materialized outputs (pictures, bench).</summary>
public static class ReportCollector
{
    private static readonly Dictionary<string, string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png",
        [".gif"] = "image/gif",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".svg"] = "image/svg+xml",
    };

    /// <summary>
    /// The report of the recipe's current plan. Run records (<c>recipes runs</c>) add memory and the comparison: the
    /// current run is the newest one of this plan, the previous run the newest one before it (any plan).
    /// </summary>
    public static ReportInput Collect(RecipeSession session, string outputRoot, DateTime written)
    {
        var graph = session.Graph;
        var states = new CacheScan(session.Cache).Probe(graph);
        var planKey = PlanKey.Compute(graph);
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        var metrics = new List<(string, string, double)>();
        var entries = new Dictionary<string, ActionEntry>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (states.HashOf(node.Index) is not { } key || session.Cache.Actions.TryGet(key) is not { } entry) continue;
            seconds[node.Id] = entry.Seconds;
            entries[node.Id] = entry;
        }
        // Named as run records name them, so that this build's metrics line up with the previous run's.
        foreach (var (node, name, value) in RunMetrics.Named(graph.Nodes, n => entries.GetValueOrDefault(n.Id)?.Metrics))
            if (Number(value) is { } number) metrics.Add((node.Id, name, number));
        var targets = TargetsView.Of(session, states, entries);
        var runs = new RunStore(session.Cache.Root).List(session.Recipe.Name);
        var currentRecord = runs.FirstOrDefault(r => r.PlanKey == planKey);
        var previousRecord = currentRecord is null ? (runs.Count > 0 ? runs[0] : null) : runs.SkipWhile(r => r != currentRecord).Skip(1).FirstOrDefault();
        var outputDirectory = Path.Combine(Path.GetFullPath(outputRoot), session.Recipe.Name);
        var benchDirectory = Path.Combine(outputDirectory, "bench");
        JsonNode? bench = null;
        var benchFile = Path.Combine(benchDirectory, "bench.json");
        if (File.Exists(benchFile))
        {
            try
            {
                // Through the bounded reader: a FIFO, a huge or a damaged file is refused with one warning, and the
                // section says there is no bench rather than the report failing or waiting.
                bench = Reading.BoundedJson.ReadObject(benchFile);
            }
            catch (Plugins.Files.RefusedFileException e)
            {
                Console.Error.WriteLine("warning: " + Escaping.TerminalText.Clean($"{DisplayPath.Of(e.FilePath)}: {e.Reason}; the report's bench section is left empty"));
            }
        }
        return new ReportInput
        {
            RecipeName = session.Recipe.Name,
            Description = session.Recipe.Description,
            RecipePath = DisplayPath.Of(Path.GetFullPath(session.Recipe.RecipePath)),
            PlanKey = planKey,
            OutputDirectory = DisplayPath.Of(outputDirectory),
            Written = written,
            Graph = graph,
            States = states,
            Seconds = seconds,
            Metrics = metrics,
            Pictures = Pictures(outputDirectory, benchDirectory),
            Bench = bench,
            BenchPlot = File.Exists(Path.Combine(benchDirectory, "bench.png")) ? Picture("bench", Path.Combine(benchDirectory, "bench.png"), outputDirectory) : null,
            StagePlots = StagePlots(graph, seconds),
            Current = currentRecord is null ? null : ToReport(currentRecord),
            Targets = targets,
            TargetCharts = [.. targets.Where(t => t.Target.Axes.Count > 0)
                .Select(t => (Comparison: t, Png: TargetChart.Draw(t)))
                .Where(c => c.Png is not null)
                .Select(c => ($"{c.Comparison.Target.Name}: {c.Comparison.Metric} against {TargetChart.DefaultAxis(c.Comparison)}", c.Png!))],
            Previous = previousRecord is null ? null : ToReport(previousRecord),
            // Matched by content, as diff matches them: from the two records alone, no cache entry read.
            Samples = currentRecord is null || previousRecord is null ? null : RunDiff.Between(previousRecord, currentRecord, null).Samples,
        };
    }

    /// <summary>
    /// A strip chart of every node's time (log scale), one column of markers per stage in pipeline order (spread
    /// sideways by rank so that equal values stay visible); none for a single node. Peak memory stays a table: it is
    /// known only for the nodes the last run executed, and a chart of two points would suggest more than it says.
    /// </summary>
    private static List<(string, byte[])> StagePlots(BuildGraph graph, IReadOnlyDictionary<string, double> seconds)
    {
        var stages = graph.Nodes.GroupBy(n => n.StageName).OrderBy(g => g.Key, StageNames.PipelineOrder).ToList();
        var plots = new List<(string, byte[])>();
        if (seconds.Count < 2) return plots;
        IEnumerable<(double X, double Y)> Strip(int column, IReadOnlyList<double> values) =>
            values.Order().Select((v, rank) => (column + 1 + 0.5 * ((rank + 0.5) / values.Count - 0.5), v));
        var time = new LineChart("Node time by stage", "stage (in pipeline order)", "seconds per node", logY: true, integerX: true);
        for (var c = 0; c < stages.Count; c++)
            time.Add(stages[c].Key, Strip(c, stages[c].Select(n => seconds.TryGetValue(n.Id, out var v) ? v : double.NaN).Where(double.IsFinite).ToList()), markers: true);
        plots.Add(("node time by stage", time.RenderPng()));
        return plots;
    }

    private static ReportRun ToReport(RunRecord record) => new(
        record.Id,
        RunRecord.StatusName(record.Status),
        record.Started.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
        record.NodeList.Where(n => n.PeakRssBytes is not null).ToDictionary(n => n.Id, n => n.PeakRssBytes!.Value, StringComparer.Ordinal),
        record.Metrics.Where(m => Number(m.Value) is not null).ToDictionary(m => m.Key, m => Number(m.Value)!.Value, StringComparer.Ordinal));

    private static double? Number(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<double>(out var number) && double.IsFinite(number) ? number : null;

    /// <summary>
    /// Pictures under the recipe's outputs, grouped by folder in ordinal order; per-sample folders
    /// (<c>samples/ID/STAGE</c>) are grouped by stage and shown for the first few samples only.
    /// </summary>
    private static List<ReportPicture> Pictures(string outputDirectory, string benchDirectory)
    {
        var pictures = new List<ReportPicture>();
        if (!Directory.Exists(outputDirectory)) return pictures;
        var perSampleShown = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(outputDirectory, "*", SearchOption.AllDirectories)
            .Where(f => MediaTypes.ContainsKey(Path.GetExtension(f)) && !f.StartsWith(benchDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            // Regular files only: a pipe named like a picture would stop the report at its read.
            .Where(f => Plugins.Files.RegularFile.Problem(f, long.MaxValue) is null)
            .Select(f => Path.GetRelativePath(outputDirectory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        foreach (var relative in files)
        {
            var parts = relative.Split('/');
            string group;
            if (parts.Length >= 4 && parts[0] == "samples")
            {
                group = $"per sample: {parts[2]}";
                var shown = perSampleShown.TryGetValue(group, out var s) ? s : perSampleShown[group] = [];
                if (!shown.Contains(parts[1]) && shown.Count >= RecipeReport.SamplePicturesPerStage) continue;
                shown.Add(parts[1]);
            }
            else group = parts.Length > 1 ? string.Join('/', parts[..^1]) : "outputs";
            pictures.Add(Picture(group, Path.Combine(outputDirectory, relative), outputDirectory));
        }
        return pictures;
    }

    private static ReportPicture Picture(string group, string path, string outputDirectory)
    {
        var size = new FileInfo(path).Length;
        var relative = Path.GetRelativePath(outputDirectory, path).Replace('\\', '/');
        return new ReportPicture(group, relative, DisplayPath.Of(path), MediaTypes[Path.GetExtension(path)],
            size <= RecipeReport.MaxInlineBytes && Plugins.Files.RegularFile.Problem(path, RecipeReport.MaxInlineBytes) is null
                ? Plugins.Files.RegularFile.ReadAllBytes(path, RecipeReport.MaxInlineBytes) : null, size);
    }
}
