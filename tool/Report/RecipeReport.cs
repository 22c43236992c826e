using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Plugins;

namespace Recipes.Report;

/// <summary>
/// <c>recipes report</c>: one self-contained HTML file about a recipe's last build, to open in any browser with no
/// network and no script: the collapsed graph with counts, per-stage time (and memory when the run was recorded),
/// the metrics with the previous run beside them, and every picture the build produced (loss curves, prediction
/// grids, rollouts, generated samples, validation plots, the bench projection), inlined.
/// </summary>
public static class RecipeReport
{
    /// <summary>Pictures larger than this are linked by path instead of inlined, so a report stays openable.</summary>
    public const long MaxInlineBytes = 8L << 20;

    /// <summary>Per-sample pictures shown per stage; a sweep of thousands would make the page useless.</summary>
    public const int SamplePicturesPerStage = 6;

    public static string Build(ReportInput input)
    {
        var html = new StringBuilder();
        var name = input.Graph.Nodes.Count == 0 ? "recipe" : input.RecipeName;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>{E(name)} — Recipes report</title>\n<style>{Css}</style>\n</head>\n<body>\n");
        Header(html, input);
        Section(html, "graph", "Task graph", () => html.Append("<div class=\"scroll\">").Append(StageGraphSvg.Draw(input.Graph, input.States)).Append("</div>\n"));
        Section(html, "stages", "Time and memory per stage", () => Stages(html, input));
        if (input.Targets.Count > 0) Section(html, "targets", "Training targets", () => Targets(html, input));
        Section(html, "metrics", "Metrics", () => Metrics(html, input));
        Section(html, "pictures", "Pictures", () => Pictures(html, input));
        Section(html, "bench", "Bench projection", () => Bench(html, input));
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Header(StringBuilder html, ReportInput input)
    {
        var done = input.Graph.Nodes.Count(n => input.States.IsDone(n.Index));
        html.Append(CultureInfo.InvariantCulture, $"<header>\n<h1>{E(input.RecipeName)}</h1>\n");
        if (input.Description is { Length: > 0 } description) html.Append(CultureInfo.InvariantCulture, $"<p class=\"description\">{E(description)}</p>\n");
        html.Append("<dl class=\"facts\">");
        Fact(html, "recipe", input.RecipePath);
        Fact(html, "plan key", input.PlanKey);
        Fact(html, "nodes", $"{input.Graph.Nodes.Count} ({done} up to date)");
        Fact(html, "outputs", input.OutputDirectory);
        if (input.Current is { } run) Fact(html, "run", $"{run.Id} · {run.Status} · {run.When}");
        Fact(html, "written", input.Written.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        html.Append("</dl>\n</header>\n");
    }

    private static void Stages(StringBuilder html, ReportInput input)
    {
        html.Append("<table class=\"numbers\">\n<thead><tr><th>stage</th><th>nodes</th><th>with a time</th><th>min s</th><th>median s</th><th>p90 s</th><th>max s</th><th>total s</th>");
        var memory = input.Current?.PeakBytes is { Count: > 0 };
        if (memory) html.Append("<th>median peak MiB</th><th>max peak MiB</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var stage in input.Graph.Nodes.GroupBy(n => n.StageName).OrderBy(g => g.Key, StageNames.PipelineOrder))
        {
            // The time a node took when it last ran (a cached node keeps the time of the run that made it).
            var seconds = stage.Select(n => input.SecondsOf(n)).OfType<double>().Order().ToList();
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(stage.Key)}</td><td>{stage.Count()}</td><td>{seconds.Count}</td>");
            if (seconds.Count == 0) html.Append("<td colspan=\"5\" class=\"none\">not run yet</td>");
            else
                html.Append(CultureInfo.InvariantCulture,
                    $"<td>{S(seconds[0])}</td><td>{S(Quantile(seconds, 0.5))}</td><td>{S(Quantile(seconds, 0.9))}</td><td>{S(seconds[^1])}</td><td>{S(seconds.Sum())}</td>");
            if (memory)
            {
                var peaks = stage.Select(n => input.Current!.PeakBytes!.TryGetValue(n.Id, out var b) ? b / 1048576.0 : (double?)null).OfType<double>().Order().ToList();
                html.Append(peaks.Count == 0 ? "<td colspan=\"2\" class=\"none\">not run in that build</td>" : $"<td>{M(Quantile(peaks, 0.5))}</td><td>{M(peaks[^1])}</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        if (!memory) html.Append("<p class=\"note\">Peak memory per node appears here once a build of this recipe has been recorded.</p>\n");
        foreach (var (caption, png) in input.StagePlots) Figure(html, caption, "image/png", png);
    }

    /// <summary>Per target, one row per point: its swept values, whether it is built, and its metrics, the ranking one first and the best row marked.</summary>
    private static void Targets(StringBuilder html, ReportInput input)
    {
        foreach (var comparison in input.Targets)
        {
            var target = comparison.Target;
            var metrics = comparison.MetricNames.Take(8).ToList();
            var best = comparison.Best;
            html.Append(CultureInfo.InvariantCulture, $"<h3>{E(target.Name)}</h3>\n");
            if (comparison.Metric is { } ranking)
                html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Ranked by {E(ranking)} ({(target.Maximize ? "highest" : "lowest")} is best){(best is null ? "" : $"; best: {E(best.Point.NameIn(target.Name))}")}.</p>\n");
            html.Append("<table class=\"numbers\">\n<thead><tr><th>point</th><th>status</th>");
            foreach (var axis in target.Axes) html.Append(CultureInfo.InvariantCulture, $"<th>{E(axis)}</th>");
            foreach (var metric in metrics) html.Append(CultureInfo.InvariantCulture, $"<th>{E(metric)}{(metric == comparison.Metric ? " ★" : "")}</th>");
            html.Append("</tr></thead>\n<tbody>\n");
            foreach (var row in comparison.Rows)
            {
                var isBest = ReferenceEquals(row, best);
                html.Append(CultureInfo.InvariantCulture, $"<tr{(isBest ? " class=\"best\"" : "")}><td>{E(row.Point.NameIn(target.Name))}{(isBest ? " ★" : "")}</td><td>{E(row.Status)}</td>");
                foreach (var axis in target.Axes) html.Append(CultureInfo.InvariantCulture, $"<td>{E(Runs.TargetComparison.ValueText(row.Point.Values[axis]))}</td>");
                foreach (var metric in metrics) html.Append(row.Metrics.TryGetValue(metric, out var value) ? $"<td>{N(value)}</td>" : "<td class=\"none\">—</td>");
                html.Append("</tr>\n");
            }
            html.Append("</tbody>\n</table>\n");
        }
        foreach (var (caption, png) in input.TargetCharts) Figure(html, caption, "image/png", png);
    }

    private static void Metrics(StringBuilder html, ReportInput input)
    {
        if (input.Samples is { } samples && input.Previous is { } previousRun)
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"samples\">Against the previous run ({E(previousRun.Id)}), {E(samples.Describe())}.</p>\n");
        var rows = input.Metrics.ToList();
        if (rows.Count == 0)
        {
            html.Append("<p class=\"none\">No stage reported metrics.</p>\n");
            return;
        }
        var previous = input.Previous;
        html.Append("<table class=\"numbers\">\n<thead><tr><th>node</th><th>metric</th><th>this build</th>");
        if (previous is not null) html.Append(CultureInfo.InvariantCulture, $"<th>previous run ({E(previous.Id)})</th><th>change</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var (node, metric, value) in rows)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(node)}</td><td>{E(metric)}</td><td>{N(value)}</td>");
            if (previous is not null)
            {
                if (previous.Metrics.TryGetValue(metric, out var before))
                {
                    var change = value - before;
                    var percent = before != 0 ? $" ({(change / Math.Abs(before) * 100).ToString("+0.#;-0.#;0", CultureInfo.InvariantCulture)} %)" : "";
                    html.Append(CultureInfo.InvariantCulture, $"<td>{N(before)}</td><td>{(change >= 0 ? "+" : "")}{N(change)}{percent}</td>");
                }
                else html.Append("<td class=\"none\">—</td><td></td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static void Pictures(StringBuilder html, ReportInput input)
    {
        if (input.Pictures.Count == 0)
        {
            html.Append("<p class=\"none\">The build produced no pictures.</p>\n");
            return;
        }
        foreach (var group in input.Pictures.GroupBy(p => p.Group))
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>{E(group.Key)}</h3>\n<div class=\"gallery\">\n");
            foreach (var picture in group) Picture(html, picture);
            html.Append("</div>\n");
        }
    }

    private static void Bench(StringBuilder html, ReportInput input)
    {
        if (input.Bench is not JsonObject bench || bench["rows"] is not JsonArray rows)
        {
            html.Append("<p class=\"none\">No bench yet: <code>recipes bench RECIPE --fidelity PARAM=v1,v2</code> measures the simulations and projects the sweep.</p>\n");
            return;
        }
        // bench.json sits under out/, where anyone may edit it: every field is read by type (a wrong one shows as "—")
        // and every text is HTML-encoded, so a damaged or crafted file can neither stop the report nor inject markup.
        var parameter = bench["parameter"] is JsonValue p && p.TryGetValue(out string? named) ? named : "level";
        html.Append(CultureInfo.InvariantCulture, $"<table class=\"numbers\">\n<thead><tr><th>{E(parameter)}</th><th>device</th><th>runs</th><th>s/sample</th><th>peak MiB</th><th>projected samples</th><th>workers</th><th>sweep wall</th><th>machine h</th></tr></thead>\n<tbody>\n");
        foreach (var row in rows.OfType<JsonObject>())
        {
            double Get(string key) => row[key] is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d) ? d : double.NaN;
            string Text(string key) => Escaping.HtmlText.Encode(row[key]);
            var wall = Get("projected_wall_seconds");
            var wallText = wall is >= 0 and < 1e12 ? TimeSpan.FromSeconds(wall).ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture) : "—";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Text("level")}</td><td>{Text("device")}:{Text("threads")}</td><td>{Text("runs")}</td><td>{N(Get("seconds_per_sample"))}</td><td>{N(Get("peak_bytes") / 1048576.0)}</td>"
                + $"<td>{Text("projected_samples")}</td><td>{Text("workers")}</td><td>{E(wallText)}</td><td>{N(Get("projected_machine_hours"))}</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        if (input.BenchPlot is { } plot) Picture(html, plot);
    }

    private static void Picture(StringBuilder html, ReportPicture picture)
    {
        if (picture.Bytes is null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<figure><figcaption>{E(picture.Caption)} ({picture.Size / 1048576} MiB: not inlined, see {E(picture.Path)})</figcaption></figure>\n");
            return;
        }
        Figure(html, picture.Caption, picture.MediaType, picture.Bytes);
    }

    private static void Figure(StringBuilder html, string caption, string mediaType, byte[] bytes) =>
        html.Append(CultureInfo.InvariantCulture, $"<figure><img alt=\"{E(caption)}\" src=\"data:{mediaType};base64,{Convert.ToBase64String(bytes)}\"><figcaption>{E(caption)}</figcaption></figure>\n");

    private static void Section(StringBuilder html, string id, string title, Action body)
    {
        html.Append(CultureInfo.InvariantCulture, $"<section id=\"{id}\">\n<h2>{E(title)}</h2>\n");
        body();
        html.Append("</section>\n");
    }

    private static void Fact(StringBuilder html, string term, string value) =>
        html.Append(CultureInfo.InvariantCulture, $"<dt>{E(term)}</dt><dd>{E(value)}</dd>");

    private static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    /// <summary>Four significant digits, as people compare metrics; never "NaN" or "∞" dressed as a number.</summary>
    public static string N(double value) =>
        double.IsFinite(value) ? value.ToString(Math.Abs(value) is >= 1e-3 and < 1e6 or 0 ? "0.####" : "0.###e0", CultureInfo.InvariantCulture) : "—";

    /// <summary>Mebibytes to the unit: sampled memory is not worth more digits.</summary>
    private static string M(double mebibytes) => mebibytes.ToString("0", CultureInfo.InvariantCulture);

    /// <summary>Seconds to the millisecond, the resolution the times are worth.</summary>
    private static string S(double seconds) => seconds < 0.0005 ? "< 0.001" : seconds.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Every text in the page goes through the one HTML escaper (control characters shown, markup encoded).</summary>
    private static string E(string text) => Escaping.HtmlText.Encode(text);

    private const string Css = """
        body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#222;background:#fff}
        h1{margin-bottom:4px}h2{border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}h3{margin-bottom:6px}
        .description{color:#444;margin-top:0}.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;font-size:14px}
        .facts dt{color:#666}.facts dd{margin:0;font-family:"DejaVu Sans Mono",monospace;word-break:break-all}
        table{border-collapse:collapse;font-size:14px;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}
        th{background:#f4f4f4}table.numbers td:nth-child(n+3){text-align:right;font-variant-numeric:tabular-nums}
        .none,.note{color:#777}.scroll{overflow-x:auto}tr.best td{background:#eef7ee;font-weight:bold}
        .gallery{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0;max-width:100%}figure img{max-width:100%;border:1px solid #eee}
        figcaption{font-size:12px;color:#555;font-family:"DejaVu Sans Mono",monospace}
        """;
}
