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
        var repeat = new Option<int?>("--repeat") { Description = "With --force: run each node this many times, each run reported with its time and peak memory (bench)." }.AtLeast(1, 1000);
        var warmUp = new Option<bool>("--warm-up") { Description = "With --force: first run the first node once more, reported as a warm-up (bench)." };
        var command = new Command("run-node", "Run nodes whose inputs are already cached, and store their results in the cache.")
        {
            recipe, nodes, cache, set, device, force, remoteCache, report, repeat, warmUp,
        };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(recipe)!, parse.GetValue(nodes)!, parse.GetValue(set) ?? [], parse.GetValue(cache),
            parse.GetValue(device), parse.GetValue(force), parse.GetValue(remoteCache), parse.GetValue(report), parse.GetValue(repeat) ?? 1, parse.GetValue(warmUp)));
        return command;
    }

    public static async Task<int> RunAsync(string recipePath, IReadOnlyList<string> ids, IReadOnlyList<string> sets, string? cacheOption,
        string? device, bool force, string? remoteOption, string? reportPath = null, int repeat = 1, bool warmUp = false)
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
        var unknown = ids.Where(id => session.Graph.Find(id) is null).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"error: no node {string.Join(", ", unknown)} in {session.Recipe.Name}");
            return ExitCodes.InvalidRecipe;
        }
        var remoteOptions = Remote.RemoteCacheSettings.Resolve(remoteOption, null, session.Project);
        using var remote = remoteOptions is null ? null : new Remote.RemoteCacheClient(remoteOptions, session.Cache, m => Console.Error.WriteLine("warning: " + Escaping.TerminalText.Clean(m)));
        var graph = session.Graph.Subset(ids);
        var engine = new BuildEngine(session.Cache, remote);
        var states = engine.Scan.Probe(graph);
        var targets = ids.ToHashSet(StringComparer.Ordinal);
        var missing = graph.Nodes.Where(n => !targets.Contains(n.Id) && !states.IsDone(n.Index)).Select(n => n.Id).ToList();
        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"error: inputs not in the cache: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? " ..." : "")}; build them first");
            return ExitCodes.NodeFailed;
        }
        var results = new List<RunNodeOutcome>();
        var failed = false;
        var options = new BuildOptions { Device = device is null ? session.Recipe.Execution.Device ?? DeviceKind.Auto : DeviceKinds.Parse(device) };
        var runs = graph.Nodes.Where(n => targets.Contains(n.Id)).ToList();
        // Repeats and a warm-up only mean something when nodes run whatever the cache holds.
        var plan = force
            ? (warmUp && runs.Count > 0 ? [(runs[0], true)] : new List<(GraphNode, bool)>()).Concat(runs.SelectMany(n => Enumerable.Repeat((n, false), repeat))).ToList()
            : runs.Select(n => (n, false)).ToList();
        double? startup = null;
        foreach (var (node, isWarmUp) in plan)
        {
            // Forced: every planned run executes, a repeat included (the one before it left the node Cached).
            if (force) states.Status[node.Index] = NodeStatus.Pending;
            if (states.Status[node.Index] == NodeStatus.Cached)
            {
                results.Add(new RunNodeOutcome(node.Id, NodeStatus.Cached, states.HashOf(node.Index)));
                continue;
            }
            startup ??= (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalSeconds;
            NodeResult result;
            long peak;
            // Peak memory of this run alone: the kernel's high-water mark is reset first, then sampled over the tree.
            using (var monitor = new Bench.ProcessTreeMonitor(Environment.ProcessId, resetPeak: true))
            {
                result = await engine.RunOneAsync(node, states, options, CancellationToken.None);
                monitor.Dispose();
                peak = monitor.PeakBytes;
            }
            failed |= result.Status == NodeStatus.Failed;
            if (result.Status == NodeStatus.Failed) Console.Error.WriteLine(TallyReporter.FailureText(node, result));
            results.Add(new RunNodeOutcome(node.Id, result.Status, states.HashOf(node.Index), Math.Round(result.Seconds, 4),
                result.Outputs.Sum(o => o.Size), result.Error, peak, isWarmUp ? true : null));
        }
        var text = new RunNodeReport(results, startup is { } seconds ? Math.Round(seconds, 4) : null).ToJson();
        if (reportPath is not null) AtomicFile.WriteAllText(reportPath, text + "\n");
        Console.Out.WriteLine(text);
        return failed ? ExitCodes.NodeFailed : ExitCodes.Success;
    }
}
