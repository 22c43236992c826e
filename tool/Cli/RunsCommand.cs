using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Configuration;
using Recipes.Execution;
using Recipes.Reporting;
using Recipes.Runs;
using Spectre.Console;

namespace Recipes.Cli;

/// <summary>
/// <c>recipes runs [RECIPE]</c>: past builds newest first, with the parameters that differ between them and chosen
/// metrics, in the manner of <c>dvc exp show</c>.
/// </summary>
public static class RunsCommand
{
    /// <summary>How many metrics are shown when none is asked for: enough to compare, few enough to fit a terminal.</summary>
    private const int DefaultMetrics = 4;

    /// <summary>Parameter columns in the table; <c>--json</c> lists them all.</summary>
    private const int TableParameters = 6;

    public static Command Create()
    {
        var recipe = new Argument<string?>("recipe") { Description = "Only this recipe's runs (its name, or its file).", Arity = ArgumentArity.ZeroOrOne };
        var cache = CommonOptions.Cache();
        var metric = new Option<string[]>("--metric", "-m")
        {
            Description = "A metric to show, by name (dataset.rows) or its last part (rows); repeatable (default: a few numeric ones).",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var limit = new Option<int?>("--limit", "-n") { Description = "Show at most this many runs (default: 20)." }.AtLeast(1);
        var json = CommonOptions.Json();
        var targets = new Option<bool>("--targets") { Description = "Compare the recipe's training targets instead: one row per target and sweep point with its metrics, the best marked (RECIPE as a file: as the cache holds them now; as a name: the newest run)." };
        var plot = new Option<string?>("--plot") { Description = "With --targets: draw each swept target's ranking metric (or --metric) against a swept setting into this PNG (TARGET is added to the name when there are several)." };
        var x = new Option<string?>("--x") { Description = "With --plot: the swept setting on the x axis (default: the first numeric one)." };
        var command = new Command("runs", "List past builds newest first: status, duration, the parameters that differ, metrics.") { recipe, cache, metric, limit, json, targets, plot, x };
        command.SetAction(parse => parse.GetValue(targets)
            ? Targets(parse.GetValue(recipe), parse.GetValue(cache), parse.GetValue(metric) ?? [], parse.GetValue(json), parse.GetValue(plot), parse.GetValue(x))
            : Run(parse.GetValue(recipe), parse.GetValue(cache), parse.GetValue(metric) ?? [], parse.GetValue(limit) ?? 20, parse.GetValue(json)));
        return command;
    }

    /// <summary><c>runs --targets</c>: the comparison table of every target's points (and their charts with <c>--plot</c>).</summary>
    private static int Targets(string? recipe, string? cacheOption, IReadOnlyList<string> metricNames, bool json, string? plot, string? xAxis)
    {
        IReadOnlyList<TargetComparison> comparisons;
        string source;
        if (recipe is not null && File.Exists(recipe))
        {
            try
            {
                var session = RecipeSession.Open(recipe, [], cacheOption);
                comparisons = Report.TargetsView.FromCache(session);
                source = $"{session.Recipe.Name}, as the cache holds it";
            }
            catch (Diagnostics.RecipeException e)
            {
                return RecipeSession.Report(e);
            }
        }
        else
        {
            var newest = Store(cacheOption, recipe).List(recipe).FirstOrDefault(r => r.Targets.Count > 0);
            comparisons = newest is null ? [] : TargetComparison.Of(newest);
            source = newest is null ? "" : $"run {newest.Id} of {newest.Recipe}";
        }
        if (comparisons.Count == 0)
        {
            Console.Out.WriteLine(recipe is null ? "no recorded run has training targets (targets: in the recipe)" : $"{Escaping.TerminalText.Clean(recipe)}: no training targets (targets: in the recipe) built or recorded");
            return ExitCodes.Success;
        }
        if (json)
        {
            Console.Out.WriteLine(JsonEventReporter.Serialize(new JsonObject
            {
                ["targets"] = new JsonArray([.. comparisons.Select(c => (JsonNode?)new JsonObject
                {
                    ["name"] = c.Target.Name,
                    ["metric"] = c.Metric,
                    ["goal"] = c.Target.Maximize ? "maximize" : "minimize",
                    ["best"] = c.Best?.Point.NameIn(c.Target.Name),
                    ["points"] = new JsonArray([.. c.Rows.Select(r => (JsonNode?)new JsonObject
                    {
                        ["point"] = r.Point.NameIn(c.Target.Name),
                        ["status"] = r.Status,
                        ["values"] = r.Point.Values.DeepClone(),
                        ["metrics"] = new JsonObject(r.Metrics.Select(m => new KeyValuePair<string, JsonNode?>(m.Key, m.Value))),
                    })]),
                })]),
            }));
        }
        else
        {
            Console.Out.WriteLine(Escaping.TerminalText.Clean(source));
            foreach (var comparison in comparisons)
            {
                var target = comparison.Target;
                var metrics = metricNames.Count > 0
                    ? comparison.MetricNames.Where(m => metricNames.Any(n => m == n || m.EndsWith("." + n, StringComparison.Ordinal))).ToList()
                    : comparison.MetricNames.Take(DefaultMetrics).ToList();
                var best = comparison.Best;
                // The best mark has its own column and the point's name never wraps: it is what --target takes, so it
                // must read (and copy) as one piece. Evaluator metrics drop their "evaluate." prefix, as metric: names them.
                var table = new Table().Border(TableBorder.Simple).Title(Markup.Escape(target.Name))
                    .AddColumn(new TableColumn("best").NoWrap()).AddColumn(new TableColumn("point").NoWrap()).AddColumn("status");
                foreach (var axis in target.Axes) table.AddColumn(Markup.Escape(axis));
                foreach (var metric in metrics) table.AddColumn(Markup.Escape(ShortMetric(metric)) + (metric == comparison.Metric ? (target.Maximize ? " (max)" : " (min)") : ""));
                foreach (var row in comparison.Rows)
                {
                    var isBest = ReferenceEquals(row, best);
                    var cells = new List<string> { isBest ? "[green]*[/]" : "", (isBest ? "[green]" : "") + Markup.Escape(row.Point.NameIn(target.Name)) + (isBest ? "[/]" : ""), Markup.Escape(row.Status) };
                    cells.AddRange(target.Axes.Select(a => Markup.Escape(TargetComparison.ValueText(row.Point.Values[a]))));
                    cells.AddRange(metrics.Select(m => row.Metrics.TryGetValue(m, out var v) ? Report.RecipeReport.N(v) : "-"));
                    table.AddRow([.. cells]);
                }
                Terminal.Out.Write(table);
                if (best is not null) Console.Out.WriteLine($"best of {Escaping.TerminalText.Clean(target.Name)} by {Escaping.TerminalText.Clean(comparison.Metric ?? "")}: {Escaping.TerminalText.Clean(best.Point.NameIn(target.Name))}");
            }
        }
        if (plot is not null)
        {
            var swept = comparisons.Where(c => c.Target.Axes.Count > 0).ToList();
            if (swept.Count == 0)
            {
                Console.Error.WriteLine("error: --plot: no target has a sweep; a chart needs swept settings");
                return ExitCodes.InvalidRecipe;
            }
            foreach (var comparison in swept)
            {
                var metric = metricNames.Count > 0 ? comparison.MetricNames.FirstOrDefault(m => m == metricNames[0] || m.EndsWith("." + metricNames[0], StringComparison.Ordinal)) : comparison.Metric;
                if (xAxis is not null && !comparison.Target.Axes.Contains(xAxis))
                {
                    Console.Error.WriteLine($"error: --x {Escaping.TerminalText.Clean(xAxis)}: {Escaping.TerminalText.Clean(comparison.Target.Name)} sweeps {Escaping.TerminalText.Clean(string.Join(", ", comparison.Target.Axes))}");
                    return ExitCodes.InvalidRecipe;
                }
                var png = Report.TargetChart.Draw(comparison, xAxis, metric);
                var path = swept.Count == 1 ? plot : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(plot))!, $"{Path.GetFileNameWithoutExtension(plot)}-{comparison.Target.Name}{Path.GetExtension(plot)}");
                if (png is null)
                {
                    Console.Error.WriteLine($"warning: {Escaping.TerminalText.Clean(comparison.Target.Name)}: nothing to draw (no numeric swept setting, or no point has {Escaping.TerminalText.Clean(metric ?? "a metric")} yet)");
                    continue;
                }
                Plugins.Files.AtomicFile.WriteAllBytes(path, png);
                Console.Error.WriteLine($"chart: {Diagnostics.DisplayPath.Of(path)}");
            }
        }
        return ExitCodes.Success;
    }

    /// <summary>The run records of the project the recipe (or the working directory) belongs to.</summary>
    public static RunStore Store(string? cacheOption, string? recipe) =>
        new(CacheLocation.Resolve(cacheOption, ProjectRoot.Find(recipe is not null && File.Exists(recipe) ? recipe : null)));

    private static int Run(string? recipe, string? cacheOption, IReadOnlyList<string> metricNames, int limit, bool json)
    {
        var runs = Store(cacheOption, recipe).List(recipe).Take(limit).ToList();
        var differing = RunParameters.Differing(runs.Select(r => r.Parameters).ToList())
            .Where(p => p is not ("recipe" or "description")).ToList();
        List<string> metrics;
        if (metricNames.Count > 0)
        {
            var known = runs.SelectMany(r => r.Metrics.Select(m => m.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            metrics = [];
            foreach (var name in metricNames)
            {
                var matched = known.Where(k => k == name || k.EndsWith("." + name, StringComparison.Ordinal)).ToList();
                if (matched.Count == 0 && runs.Count > 0)
                    Console.Error.WriteLine(Escaping.TerminalText.Clean($"warning: no listed run has a metric '{name}'{(known.Count > 0 ? $"; known: {string.Join(", ", known.Take(8))}" : "")}"));
                metrics.AddRange(matched.Except(metrics));
            }
        }
        else
        {
            metrics = runs.SelectMany(r => r.Metrics.Where(m => m.Value is JsonValue v && v.TryGetValue(out double _)).Select(m => m.Key))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(DefaultMetrics).ToList();
        }

        if (json)
        {
            Console.Out.WriteLine(JsonEventReporter.Serialize(new JsonObject
            {
                ["runs"] = new JsonArray([.. runs.Select(r => (JsonNode?)RunJson(r, differing, metrics))]),
                ["parameters"] = Strings(differing),
                ["metrics"] = Strings(metrics),
            }));
            return ExitCodes.Success;
        }
        if (runs.Count == 0)
        {
            Console.Out.WriteLine(recipe is null ? "no runs recorded yet; 'recipes build' records one" : $"no runs of {Escaping.TerminalText.Clean(recipe)} recorded");
            return ExitCodes.Success;
        }
        var shown = differing.Take(TableParameters).ToList();
        var table = new Table().Border(TableBorder.Simple).AddColumn(new TableColumn("id").NoWrap()).AddColumn(new TableColumn("when").NoWrap())
            .AddColumns("recipe", "status", "duration", "executed", "cached");
        foreach (var path in shown) table.AddColumn(Escaping.TerminalText.Markup(path));
        foreach (var name in metrics) table.AddColumn(Escaping.TerminalText.Markup(name));
        foreach (var r in runs)
        {
            // Cells are markup: everything from the record is escaped, the status is coloured.
            var cells = new List<string>
            {
                Escaping.TerminalText.Markup(r.Id), r.Started.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Escaping.TerminalText.Markup(r.Recipe),
                StatusMarkup(r.Status), r.Ended is null ? "-" : Duration(r.Seconds),
                r.Executed.ToString(CultureInfo.InvariantCulture), r.Cached.ToString(CultureInfo.InvariantCulture),
            };
            cells.AddRange(shown.Select(p => Escaping.TerminalText.Markup(Value(r.Parameters, p))));
            cells.AddRange(metrics.Select(m => Escaping.TerminalText.Markup(Value(r.Metrics, m))));
            table.AddRow([.. cells]);
        }
        Terminal.Out.Write(table);
        if (differing.Count > shown.Count) Console.Out.WriteLine($"{differing.Count - shown.Count} more parameters differ; --json lists them all");
        return ExitCodes.Success;
    }

    private static JsonObject RunJson(RunRecord r, IReadOnlyList<string> differing, IReadOnlyList<string> metrics) => new()
    {
        ["id"] = r.Id,
        ["started"] = RunRecord.Iso(r.Started),
        ["ended"] = r.Ended is { } e ? RunRecord.Iso(e) : null,
        ["recipe"] = r.Recipe,
        ["recipe_path"] = r.RecipePath,
        ["status"] = RunRecord.StatusName(r.Status),
        ["seconds"] = Math.Round(r.Seconds, 3),
        ["nodes"] = r.Nodes,
        ["executed"] = r.Executed,
        ["cached"] = r.Cached,
        ["failed"] = r.Failed,
        ["overrides"] = Strings(r.Overrides),
        ["parameters"] = new JsonObject(differing.Where(r.Parameters.ContainsKey).Select(p => new KeyValuePair<string, JsonNode?>(p, r.Parameters[p]?.DeepClone()))),
        ["metrics"] = new JsonObject(metrics.Where(r.Metrics.ContainsKey).Select(m => new KeyValuePair<string, JsonNode?>(m, r.Metrics[m]?.DeepClone()))),
    };

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    /// <summary>A value as a cell: strings bare, everything else as JSON; "-" where the run has none.</summary>
    public static string Value(JsonObject map, string path) =>
        !map.TryGetPropertyValue(path, out var v) ? "-" : v is JsonValue s && s.TryGetValue(out string? text) ? text : v?.ToJsonString() ?? "null";

    public static string Duration(double seconds) =>
        seconds < 60 ? $"{seconds:0.0} s" : seconds < 3600 ? $"{(int)(seconds / 60)} m {seconds % 60:00} s" : $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60):00} m";

    private static string StatusMarkup(RunStatus status) => status switch
    {
        RunStatus.Completed => "[green]completed[/]",
        RunStatus.Failed => "[red]failed[/]",
        RunStatus.Interrupted => "[yellow]interrupted[/]",
        _ => "[blue]running[/]",
    };

    /// <summary>A metric's column name: an evaluator metric as <c>metric:</c> names it (rollout_mse), a training one with its <c>train.</c>.</summary>
    private static string ShortMetric(string metric) => metric.StartsWith("evaluate.", StringComparison.Ordinal) ? metric["evaluate.".Length..] : metric;
}
