using System.CommandLine;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Configuration;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Lineage;
using Recipes.Reporting;
using Recipes.Runs;
using Clean = Recipes.Escaping.TerminalText;

namespace Recipes.Cli;

/// <summary>
/// <c>recipes why PATH[#ITEM]</c>: the chain from a file under <c>out/&lt;recipe&gt;/</c> back to its sources, and
/// <c>recipes why --downstream FILE</c>: everything that depends on a source file. Offline, from the cache and the run
/// records alone; the recipe is the one the last recorded build of <c>out/&lt;recipe&gt;/</c> used, with its overrides.
/// </summary>
public static class WhyCommand
{
    /// <summary>Nodes shown per stage and inputs per node in the text form; <c>--json</c> lists all.</summary>
    private const int Shown = 3;
    private const int InputsShown = 6;

    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A file under out/<recipe>/, with #ITEM for a row of a .csv shard or a trajectory of an .npz (from 0); with --downstream a source file (template, base-case file, script)." };
        var downstream = new Option<bool>("--downstream") { Description = "List every node and output that depends on the source file PATH (would rebuild if it changed)." };
        var recipe = new Option<string?>("--recipe") { Description = "The recipe to plan (default: the one the last recorded build of out/<recipe>/ used, with its --set values)." };
        var cache = CommonOptions.Cache();
        var output = new Option<string?>("--out") { Description = "Root of materialized outputs (default: out/ of the project)." };
        var set = CommonOptions.Set();
        var json = CommonOptions.Json();
        var command = new Command("why", "Trace a file under out/ back to its sources (or, with --downstream, a source forward to what it feeds).")
            { path, downstream, recipe, cache, output, set, json };
        command.SetAction(parse => Run(parse.GetValue(path)!, parse.GetValue(downstream), parse.GetValue(recipe), parse.GetValue(cache),
            parse.GetValue(output), parse.GetValue(set), parse.GetValue(json)));
        return command;
    }

    public static int Run(string path, bool downstream, string? recipeOption, string? cacheOption, string? outOption, string[]? sets, bool json)
    {
        try
        {
            var result = downstream ? Downstream(path, recipeOption, cacheOption, sets) : Explain(path, recipeOption, cacheOption, outOption, sets, json ? null : Shown);
            if (json) Console.Out.WriteLine(JsonEventReporter.Serialize(result));
            else if (downstream) PrintDownstream(result);
            else PrintChain(result);
            return ExitCodes.Success;
        }
        catch (LineageException e)
        {
            Console.Error.WriteLine("error: " + Clean.Clean(e.Message));
            return ExitCodes.InvalidRecipe;
        }
        catch (RecipeException e)
        {
            return RecipeSession.Report(e);
        }
    }

    private static JsonObject Explain(string argument, string? recipeOption, string? cacheOption, string? outOption, string[]? sets, int? perStage)
    {
        // PATH#ITEM, unless a file of that very name exists.
        var (path, item) = (argument, (string?)null);
        var hash = argument.LastIndexOf('#');
        if (hash > 0 && !File.Exists(argument)) (path, item) = (argument[..hash], argument[(hash + 1)..]);
        if (item is { Length: 0 }) throw new LineageException($"{argument}: nothing after '#'; name a row or a trajectory");
        var full = Path.GetFullPath(path);
        var project = ProjectRoot.Find(full);
        var outRoot = Path.GetFullPath(outOption ?? project.DefaultOutput);
        var relative = Path.GetRelativePath(outRoot, full).Replace('\\', '/');
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        if (relative.StartsWith("../", StringComparison.Ordinal) || relative == ".." || Path.IsPathRooted(relative) || slash <= 0)
            throw new LineageException($"{path} is not under {outRoot}/<recipe>/: why explains the files a build put there (--downstream follows a source file)");
        if (Directory.Exists(full)) throw new LineageException($"{path} is a directory; name a file in it");
        if (!File.Exists(full)) throw new LineageException($"{path} does not exist");
        var recipeName = relative[..slash];
        var (session, _) = Open(recipeName, project, recipeOption, cacheOption, sets);
        var states = new CacheScan(session.Cache).Probe(session.Graph);
        var tracer = new LineageTracer(session.Graph, states, session.Cache,
            wanted => RunRecordScan.Read(session.Cache.Root, session.Recipe.Name, wanted), session.Project.Directory);
        return tracer.Explain(full, relative[(slash + 1)..], path, item, perStage);
    }

    private static JsonObject Downstream(string path, string? recipeOption, string? cacheOption, string[]? sets)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new LineageException($"{path} does not exist");
        var project = ProjectRoot.Find(full);
        // Named, or every recipe the project's cache has a record of: a template may feed several.
        var recipes = recipeOption is not null ? [(string?)null] : RecordedRecipes(project, cacheOption);
        LineageException? last = null;
        foreach (var name in recipes)
        {
            try
            {
                var (session, _) = Open(name, project, recipeOption, cacheOption, sets);
                var states = new CacheScan(session.Cache).Probe(session.Graph);
                return new LineageTracer(session.Graph, states, session.Cache, _ => [], session.Project.Directory).Downstream(full, path);
            }
            catch (LineageException e)
            {
                last = e;
            }
        }
        throw last ?? new LineageException($"{path}: no build is recorded in the cache yet; build a recipe first (or name one with --recipe)");
    }

    private static IReadOnlyList<string?> RecordedRecipes(ProjectRoot project, string? cacheOption)
    {
        var cache = CacheLocation.Resolve(cacheOption, project);
        if (!Directory.Exists(cache)) throw new LineageException($"no cache at {cache} yet: build a recipe first");
        // Headers only: which recipes have records, newest first.
        return [.. RunRecordScan.Read(cache, null, wanted: null).Select(r => r.Recipe).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The recipe as its last recorded build planned it (or as named), with the runs that built it.</summary>
    private static (RecipeSession Session, IReadOnlyList<RunRecord> Runs) Open(string? recipeName, ProjectRoot project, string? recipeOption, string? cacheOption, string[]? sets)
    {
        var cache = CacheLocation.Resolve(cacheOption, project);
        if (!Directory.Exists(cache)) throw new LineageException($"no cache at {cache} yet: build the recipe first");
        var runs = recipeName is null ? [] : RunRecordScan.Read(cache, recipeName, wanted: null);
        var last = runs.FirstOrDefault(r => r.Status != RunStatus.Running);
        string recipePath;
        if (recipeOption is not null) recipePath = recipeOption;
        else if (last is not null) recipePath = last.RecipePath;
        else throw new LineageException($"no build of {recipeName} is recorded in {cache}: build it first, or name the recipe with --recipe");
        if (!File.Exists(recipePath)) throw new LineageException($"the recipe {recipePath} of the last build of {recipeName} is gone; name it with --recipe");
        var overrides = sets is { Length: > 0 } ? sets : recipeOption is null && last is not null ? [.. last.Overrides] : [];
        var session = RecipeSession.Open(recipePath, overrides, cache);
        if (recipeName is not null && session.Recipe.Name != recipeName)
            throw new LineageException($"{recipePath} is the recipe {session.Recipe.Name}, not {recipeName}");
        return (session, runs);
    }

    private static void PrintChain(JsonObject r)
    {
        var lines = new List<string>();
        var item = r["item"] as JsonObject;
        lines.Add($"{Text(r, "file")}{(item is null ? "" : $" ({Text(item, "is")}, sample {Text(item, "sample")})")}");
        lines.Add(r["edited"]?.GetValue<bool>() == true
            ? $"  EDITED by hand: the build wrote {Text(r, "hash")}, the file now hashes {Text(r, "current_hash")}"
            : $"  hash {Text(r, "hash")} ({Text(r, "size")} bytes), as the build wrote it");
        if (r["sample"] is JsonObject sample)
        {
            var parameters = (sample["parameters"] as JsonObject ?? []).Select(p => $"{p.Key}={p.Value?.ToJsonString()}");
            lines.Add($"sample {Text(sample, "id")}: {string.Join("  ", parameters)}");
        }
        var chain = (r["chain"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var more = r["more"] as JsonObject ?? [];
        var total = chain.Count + more.Sum(m => m.Value?.GetValue<int>() ?? 0);
        lines.Add(total == 1 ? "node:" : $"chain ({total} nodes, nearest first):");
        foreach (var stage in chain.GroupBy(n => Text(n, "stage")))
        {
            foreach (var node in stage) lines.AddRange(NodeLines(node));
            if (more[stage.Key ?? ""] is JsonNode count) lines.Add($"  ... {count.GetValue<int>()} more {stage.Key} nodes (--json lists every one)");
        }
        foreach (var line in lines) Console.Out.WriteLine(Clean.Clean(line));
    }

    private static IEnumerable<string> NodeLines(JsonObject n)
    {
        yield return $"  {Text(n, "node")}  {Text(n, "implementation")} v{Text(n, "version")}  key {Text(n, "key") ?? "(not in the cache)"}  seed {Text(n, "seed")}";
        if (n["run"] is JsonObject run)
        {
            var git = run["git_commit"] is null ? "not in a Git repository" : $"commit {Text(run, "git_commit")}{(run["git_dirty"]?.GetValue<bool>() == true ? " (dirty)" : " (clean)")}";
            yield return $"    {(run["executed"]?.GetValue<bool>() == true ? "made by" : "taken from the cache by")} run {Text(run, "id")} at {Text(run, "started")}, tool {Text(run, "tool_version") ?? "(unrecorded)"}, {git}";
        }
        else yield return "    run: none recorded (the cache entry came from elsewhere, or its record was pruned)";
        var inputs = (n["inputs"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var input in inputs.Take(InputsShown))
        {
            var from = input["from"] is not null ? $" from {Text(input, "from")}" : input["source"] is not null ? $" {Text(input, "source")}" : "";
            var rendered = input["rendered"] is JsonObject rf ? $" -> {Text(rf, "name")} {Text(rf, "hash")}" : "";
            yield return $"    in  {Text(input, "name")}  {Text(input, "hash")}{from}{rendered}";
        }
        if (inputs.Count > InputsShown) yield return $"    ... {inputs.Count - InputsShown} more inputs";
    }

    private static void PrintDownstream(JsonObject r)
    {
        var stages = (r["stages"] as JsonObject ?? []).Select(s => $"{s.Key} {s.Value}");
        var lines = new List<string>
        {
            $"{Text(r, "file")} ({Text(r, "hash")}) feeds {Text(r, "nodes")} nodes of {Text(r, "recipe")}: {string.Join(", ", stages)}",
            "  each would run again if it changed (unless an upstream output comes out byte-identical: early cutoff)",
        };
        foreach (var stage in (r["downstream"] as JsonArray ?? []).OfType<JsonObject>().GroupBy(n => Text(n, "stage")))
        {
            var nodes = stage.ToList();
            foreach (var node in nodes.Take(Shown))
            {
                var outputs = (node["outputs"] as JsonArray ?? []).Select(o => o?.GetValue<string>()).ToList();
                lines.Add($"  {Text(node, "node")}{(node["reads_it"]?.GetValue<bool>() == true ? " (reads it)" : "")}{(outputs.Count == 0 ? "" : " -> " + string.Join(", ", outputs.Take(InputsShown)) + (outputs.Count > InputsShown ? $", ... {outputs.Count - InputsShown} more" : ""))}");
            }
            if (nodes.Count > Shown) lines.Add($"  ... {nodes.Count - Shown} more {stage.Key} nodes (--json lists every one)");
        }
        foreach (var line in lines) Console.Out.WriteLine(Clean.Clean(line));
    }

    private static string? Text(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        var other => other.ToJsonString(),
    };
}
