using Recipes.Plugins;
using Recipes.Plugins.Files;
using System.CommandLine;
using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Reporting;

namespace Recipes.Cli;

/// <summary>
/// <c>recipes run-node RECIPE NODE</c>: runs one node whose inputs are already in the cache (shared or remote), and
/// stores its outputs there. What a cluster task or a benchmark child process executes.
/// </summary>
public static class RunNodeCommand
{
    public static Command Create()
    {
        var recipe = CommonOptions.Recipe();
        var nodes = new Argument<string[]>("nodes") { Description = "Node ids, e.g. simulate/000042.", Arity = ArgumentArity.OneOrMore };
        var cache = CommonOptions.Cache();
        var set = CommonOptions.Set();
        var device = new Option<string?>("--device") { Description = "auto, cpu or cuda." };
        device.AcceptOnlyFromAmong([.. DeviceKinds.Names]);
        var force = new Option<bool>("--force") { Description = "Run even if the result is cached (benchmarks)." };
        var remoteCache = new Option<string?>("--remote-cache") { Description = "HTTP cache to read inputs from and write results to." };
        var report = new Option<string?>("--report") { Description = "Also write the per-node results (JSON) to this file, for a cluster controller." };
        var command = new Command("run-node", "Run nodes whose inputs are already cached, and store their results in the cache.")
        {
            recipe, nodes, cache, set, device, force, remoteCache, report,
        };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(recipe)!, parse.GetValue(nodes)!, parse.GetValue(set) ?? [], parse.GetValue(cache),
            parse.GetValue(device), parse.GetValue(force), parse.GetValue(remoteCache), parse.GetValue(report)));
        return command;
    }

    public static async Task<int> RunAsync(string recipePath, IReadOnlyList<string> ids, IReadOnlyList<string> sets, string? cacheOption,
        string? device, bool force, string? remoteOption, string? reportPath = null)
    {
        RecipeSession session;
        try
        {
            session = RecipeSession.Open(recipePath, sets, cacheOption, Environment.ProcessorCount);
        }
        catch (RecipeException e)
        {
            return RecipeSession.Report(e);
        }
        var unknown = ids.Where(id => session.Graph.Find(id) is null).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"error: no node {string.Join(", ", unknown)} in {session.Recipe.Name}");
            return ExitCodes.InvalidRecipe;
        }
        var remoteOptions = Remote.RemoteCacheSettings.Resolve(remoteOption, null, session.Project);
        using var remote = remoteOptions is null ? null : new Remote.RemoteCacheClient(remoteOptions, session.Cache, m => Console.Error.WriteLine("warning: " + m));
        var graph = session.Graph.Subset(ids);
        var engine = new BuildEngine(session.Cache, remote);
        var states = engine.Probe(graph);
        var targets = ids.ToHashSet(StringComparer.Ordinal);
        var missing = graph.Nodes.Where(n => !targets.Contains(n.Id) && !states.IsDone(n.Index)).Select(n => n.Id).ToList();
        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"error: inputs not in the cache: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? " ..." : "")}; build them first");
            return ExitCodes.NodeFailed;
        }
        if (force)
            foreach (var node in graph.Nodes.Where(n => targets.Contains(n.Id))) states.Status[node.Index] = NodeStatus.Pending;
        var results = new List<RunNodeOutcome>();
        var failed = false;
        foreach (var node in graph.Nodes.Where(n => targets.Contains(n.Id)))
        {
            if (states.Status[node.Index] == NodeStatus.Cached)
            {
                results.Add(new RunNodeOutcome(node.Id, NodeStatus.Cached, states.HashOf(node.Index)));
                continue;
            }
            var result = await engine.RunOneAsync(node, states, new BuildOptions { Device = device is null ? session.Recipe.Execution.Device ?? DeviceKind.Auto : DeviceKinds.Parse(device) }, CancellationToken.None);
            failed |= result.Status == NodeStatus.Failed;
            if (result.Status == NodeStatus.Failed) Console.Error.WriteLine(TallyReporter.FailureText(node, result));
            results.Add(new RunNodeOutcome(node.Id, result.Status, states.HashOf(node.Index), Math.Round(result.Seconds, 4),
                result.Outputs.Sum(o => o.Size), result.Error));
        }
        var text = new RunNodeReport(results).ToJson();
        if (reportPath is not null) AtomicFile.WriteAllText(reportPath, text + "\n");
        Console.Out.WriteLine(text);
        return failed ? ExitCodes.NodeFailed : ExitCodes.Success;
    }
}
