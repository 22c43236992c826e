using System.CommandLine;
using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Reporting;
using Recipes.Status;

namespace Recipes.Cli;

/// <summary><c>recipes status RECIPE</c>: which nodes would run, and why.</summary>
public static class StatusCommand
{
    private const int GroupsPerStage = 6;

    public static Command Create()
    {
        var recipe = CommonOptions.Recipe();
        var cache = CommonOptions.Cache();
        var set = CommonOptions.Set();
        var json = CommonOptions.Json();
        var all = new Option<bool>("--all") { Description = "List every stale node instead of grouping by reason." };
        var command = new Command("status", "Show stale nodes, each with the reason it will run.") { recipe, cache, set, json, all };
        command.SetAction(parse => Run(parse.GetValue(recipe)!, parse.GetValue(set) ?? [], parse.GetValue(cache), parse.GetValue(json), parse.GetValue(all)));
        return command;
    }

    public static int Run(string recipePath, IReadOnlyList<string> sets, string? cacheOption, bool json, bool all)
    {
        RecipeSession session;
        try
        {
            session = RecipeSession.Open(recipePath, sets, cacheOption);
        }
        catch (RecipeException e)
        {
            return RecipeSession.Report(e);
        }
        var states = new CacheScan(session.Cache).Probe(session.Graph);
        var explainer = new StalenessExplainer(session.Cache);
        var stale = explainer.Explain(session.Graph, states);
        var samples = explainer.CompareSamples(session.Graph, states);
        var notes = session.Recipe.Warnings.Select(w => w.Message).ToList();
        if (session.Recipe.Adaptive is { } adaptive) notes.Add(Adaptive.AdaptiveRounds.Describe(adaptive, session.Graph, states));
        var summary = BuildSummary.Of(session.Graph, states, 0, false);

        if (json)
        {
            var result = new JsonObject
            {
                ["recipe"] = session.Recipe.Name,
                ["project"] = session.Project.Directory,
                ["cache"] = session.Cache.Root,
                ["nodes"] = session.Graph.Nodes.Count,
                ["up_to_date"] = summary.Cached,
                ["stale"] = stale.Count,
                ["samples"] = samples is null ? null : new JsonObject
                {
                    ["new"] = samples.New, ["gone"] = samples.Gone, ["changed"] = samples.Changed, ["unchanged"] = samples.Unchanged,
                },
                ["notes"] = new JsonArray(notes.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
                ["stale_nodes"] = new JsonArray(stale.Select(s => (JsonNode?)new JsonObject
                {
                    ["node"] = s.Node.Id,
                    ["stage"] = s.Node.StageName,
                    ["reasons"] = new JsonArray(s.Reasons.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray()),
                }).ToArray()),
            };
            Console.Out.WriteLine(JsonEventReporter.Serialize(result));
            return ExitCodes.Success;
        }

        // Reasons quote parameter values (a --set value may hold an escape sequence): every line is cleaned for the terminal.
        foreach (var note in notes) Console.Out.WriteLine("note: " + Escaping.TerminalText.Clean(note));
        // Where the cache and out/ are, so a build from another folder is seen to reuse them (or not).
        Console.Out.WriteLine(Escaping.TerminalText.Clean($"project: {session.Project.Describe()}"));
        Console.Out.WriteLine(stale.Count == 0
            ? $"{session.Recipe.Name}: up to date ({session.Graph.Nodes.Count} nodes)"
            : $"{session.Recipe.Name}: {stale.Count} of {session.Graph.Nodes.Count} nodes stale");
        // Samples are matched by their values, not their positions: a refined grid says how many samples are new.
        if (samples is { New: > 0 } or { Gone: > 0 } or { Changed: > 0 }) Console.Out.WriteLine("  " + samples.Describe());
        foreach (var stage in stale.GroupBy(s => s.Node.StageName))
        {
            Console.Out.WriteLine($"  {stage.Key}: {stage.Count()} stale");
            if (all)
            {
                foreach (var s in stage) Console.Out.WriteLine(Escaping.TerminalText.Clean($"    {s.Node.Id}: {string.Join("; ", s.Reasons)}"));
                continue;
            }
            // Reasons that differ only by the node's own sample ("upstream render/000003") group together.
            var groups = stage.GroupBy(s => Generic(s)).OrderByDescending(g => g.Count()).ToList();
            foreach (var group in groups.Take(GroupsPerStage))
            {
                var ids = group.Select(s => s.Node.Id).ToList();
                var who = ids.Count == 1 ? ids[0] : $"{ids.Count} nodes ({ids[0]} ... {ids[^1]})";
                Console.Out.WriteLine(Escaping.TerminalText.Clean($"    {who}: {group.Key}"));
            }
            if (groups.Count > GroupsPerStage)
                Console.Out.WriteLine($"    ... {groups.Count - GroupsPerStage} more distinct reasons (use --all)");
        }
        return ExitCodes.Success;
    }

    private static string Generic(NodeStaleness staleness)
    {
        var text = string.Join("; ", staleness.Reasons);
        return staleness.Node.Sample is { } sample ? text.Replace("/" + sample.Id, "/<same sample>", StringComparison.Ordinal) : text;
    }
}
