using System.CommandLine;
using System.Text.Json;
using Recipes.Cache;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Plugins.Files;
using Recipes.Provenance;
using Recipes.Runs;

namespace Recipes.Cli;

/// <summary>
/// <c>recipes export-provenance RECIPE [-o FILE]</c>: the recipe's last recorded build as W3C PROV-JSON, for provenance
/// tools (the <c>prov</c> Python package, ProvToolbox) to read. Planned as that build was (its <c>--set</c> values),
/// from the cache and the run records alone.
/// </summary>
public static class ExportProvenanceCommand
{
    public const string DefaultFileName = "provenance.json";

    public static Command Create()
    {
        var recipe = CommonOptions.Recipe();
        var cache = CommonOptions.Cache();
        var set = CommonOptions.Set();
        var outRoot = new Option<string?>("--out") { Description = "Root of materialized outputs (default: out/ of the project)." };
        var output = new Option<string?>("--output", "-o") { Description = $"Where to write the document (default: <out>/<recipe>/{DefaultFileName})." };
        var command = new Command("export-provenance", "Write the recipe's last build as W3C PROV-JSON: files by content hash, nodes as activities, the tool as agent.")
        {
            recipe, cache, set, outRoot, output,
        };
        command.SetAction(parse => Run(parse.GetValue(recipe)!, parse.GetValue(set) ?? [], parse.GetValue(cache), parse.GetValue(outRoot), parse.GetValue(output)));
        return command;
    }

    public static int Run(string recipePath, string[] sets, string? cacheOption, string? outRoot, string? file)
    {
        RecipeSession session;
        try
        {
            session = RecipeSession.Open(recipePath, sets, cacheOption);
            // Every node of every record: the document names the run, times and tool of each activity.
            var runs = Lineage.RunRecordScan.Read(session.Cache.Root, session.Recipe.Name, wanted: _ => true);
            var last = runs.FirstOrDefault(r => r.Status != RunStatus.Running);
            if (last is null)
            {
                Console.Error.WriteLine(Escaping.TerminalText.Clean($"error: no build of {session.Recipe.Name} is recorded in {session.Cache.Root}; build it first"));
                return ExitCodes.InvalidRecipe;
            }
            // The last build's own overrides, unless others are given: the document describes what that build made.
            if (sets.Length == 0 && last.Overrides.Count > 0)
                session = RecipeSession.Open(recipePath, [.. last.Overrides], cacheOption);
            var states = new CacheScan(session.Cache).Probe(session.Graph);
            var document = ProvJsonExport.Build(session.Graph, states, runs, session.Project.Directory);
            var path = Path.GetFullPath(file ?? Path.Combine(outRoot ?? session.Project.DefaultOutput, session.Recipe.Name, DefaultFileName));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Console.Out.WriteLine(Escaping.TerminalText.Clean(
                $"wrote {DisplayPath.Of(path)}: {document["entity"]!.AsObject().Count} entities, {document["activity"]!.AsObject().Count} activities (run {last.Id})"));
            return ExitCodes.Success;
        }
        catch (RecipeException e)
        {
            return RecipeSession.Report(e);
        }
    }
}
