using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Configuration;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Reporting;
using Recipes.Runs;
using Spectre.Console;

namespace Recipes.Cli;

/// <summary>
/// <c>recipes diff A B</c>: two runs (ids, unique prefixes, <c>HEAD</c>, <c>HEAD~N</c>) or two recipe files (planned, not
/// built), side by side: parameters, metrics with delta and percent, per-stage time, and the nodes that differ and why.
/// </summary>
public static class DiffCommand
{
    /// <summary>Nodes listed in text; <c>--json</c> lists them all.</summary>
    private const int TextNodes = 20;

    public static Command Create()
    {
        var a = new Argument<string>("a") { Description = "A run (id, prefix, HEAD, HEAD~1) or a recipe file." };
        var b = new Argument<string>("b") { Description = "Another run, or a second recipe file." };
        var recipe = new Option<string?>("--recipe") { Description = "Count HEAD~N among this recipe's runs (its name or file); default: all runs." };
        var cache = CommonOptions.Cache();
        var json = CommonOptions.Json();
        var command = new Command("diff", "Compare two runs or two recipe files: parameters, metrics, stage times, and which nodes differ and why.")
        {
            a, b, recipe, cache, json,
        };
        command.SetAction(parse => Run(parse.GetValue(a)!, parse.GetValue(b)!, parse.GetValue(recipe), parse.GetValue(cache), parse.GetValue(json)));
        return command;
    }

    private static int Run(string a, string b, string? recipe, string? cacheOption, bool json)
    {
        var filesA = IsRecipeFile(a);
        var filesB = IsRecipeFile(b);
        RunDiff diff;
        string headerA, headerB;
        if (filesA && filesB)
        {
            RecipeSession sa, sb;
            try
            {
                sa = RecipeSession.Open(a, [], cacheOption);
                sb = RecipeSession.Open(b, [], cacheOption);
            }
            catch (RecipeException e)
            {
                return RecipeSession.Report(e);
            }
            diff = RunDiff.BetweenPlans(sa.Graph, RunParameters.Resolve(a, []), sb.Graph, RunParameters.Resolve(b, []));
            headerA = $"{DisplayPath.Of(a)} ({sa.Graph.Nodes.Count} nodes, planned)";
            headerB = $"{DisplayPath.Of(b)} ({sb.Graph.Nodes.Count} nodes, planned)";
        }
        else if (filesA || filesB)
        {
            Console.Error.WriteLine(Escaping.TerminalText.Clean($"error: {(filesA ? a : b)} is a recipe file and {(filesA ? b : a)} is not; give two runs or two recipe files"));
            return ExitCodes.InvalidRecipe;
        }
        else
        {
            var cache = CacheLocation.Resolve(cacheOption, ProjectRoot.Find(recipe is not null && File.Exists(recipe) ? recipe : null));
            var store = new RunStore(cache);
            RunRecord ra, rb;
            try
            {
                ra = store.Resolve(a, recipe);
                rb = store.Resolve(b, recipe);
            }
            catch (RunLookupException e)
            {
                Console.Error.WriteLine("error: " + Escaping.TerminalText.Clean(e.Message));
                return ExitCodes.InvalidRecipe;
            }
            diff = RunDiff.Between(ra, rb, new CacheStore(cache));
            headerA = Header(ra);
            headerB = Header(rb);
        }

        if (json)
        {
            Console.Out.WriteLine(JsonEventReporter.Serialize(diff.ToJson()));
            return ExitCodes.Success;
        }
        // Every text from a record or a recipe (ids, --set values, parameters, reasons) is cleaned before it reaches the terminal.
        Console.Out.WriteLine(Escaping.TerminalText.Clean($"A: {headerA}"));
        Console.Out.WriteLine(Escaping.TerminalText.Clean($"B: {headerB}"));
        if (diff.Parameters.Count == 0) Console.Out.WriteLine("parameters: the same");
        else
        {
            var table = new Table().Border(TableBorder.Simple).AddColumns("parameter", "A", "B");
            foreach (var p in diff.Parameters)
                table.AddRow(Escaping.TerminalText.Markup(p.Path), Escaping.TerminalText.Markup(p.InA ? Text(p.A) : "-"), Escaping.TerminalText.Markup(p.InB ? Text(p.B) : "-"));
            Terminal.Out.Write(table);
        }
        if (diff.Metrics.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumns("metric", "A", "B", "delta", "%");
            foreach (var m in diff.Metrics)
                table.AddRow(Escaping.TerminalText.Markup(m.Name), Escaping.TerminalText.Markup(m.A is null ? "-" : Text(m.A)), Escaping.TerminalText.Markup(m.B is null ? "-" : Text(m.B)),
                    m.Delta is { } d ? d.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture) : "-",
                    m.Percent is { } pc ? pc.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : "-");
            Terminal.Out.Write(table);
        }
        var stages = new Table().Border(TableBorder.Simple).AddColumns("stage", "A nodes", "B nodes", "A time", "B time");
        foreach (var s in diff.Stages)
            stages.AddRow(Escaping.TerminalText.Markup(s.Stage), s.ANodes.ToString(CultureInfo.InvariantCulture), s.BNodes.ToString(CultureInfo.InvariantCulture),
                s.ASeconds is { } x ? RunsCommand.Duration(x) : "-", s.BSeconds is { } y ? RunsCommand.Duration(y) : "-");
        Terminal.Out.Write(stages);
        // Samples are matched by their values, not their positions: after a grid refinement, the new ones are counted.
        if (diff.Samples is { } samples) Console.Out.WriteLine(samples.Describe());
        if (diff.Nodes.Count == 0) Console.Out.WriteLine("nodes: none differ");
        else
        {
            Console.Out.WriteLine($"{diff.Nodes.Count} node{(diff.Nodes.Count == 1 ? "" : "s")} differ:");
            foreach (var n in diff.Nodes.Take(TextNodes))
                Console.Out.WriteLine(Escaping.TerminalText.Clean($"  {n.Id} ({n.Change.Replace('_', ' ')}): {string.Join("; ", n.Reasons)}"));
            if (diff.Nodes.Count > TextNodes) Console.Out.WriteLine($"  ... and {diff.Nodes.Count - TextNodes} more (--json lists them all)");
        }
        return ExitCodes.Success;
    }

    /// <summary>Two existing YAML files are recipes to plan; anything else is a run reference.</summary>
    private static bool IsRecipeFile(string argument) =>
        File.Exists(argument) && (argument.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || argument.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));

    private static string Header(RunRecord r) =>
        $"{r.Id} ({r.Recipe}, {r.Started.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}, {RunRecord.StatusName(r.Status)}" +
        (r.Overrides.Count > 0 ? $", --set {string.Join(" --set ", r.Overrides)}" : "") + ")";

    private static string Text(JsonNode? value) => value is JsonValue v && v.TryGetValue(out string? s) ? s : value?.ToJsonString() ?? "null";
}
