using System.Diagnostics;
using System.Globalization;
using Recipes.Cache;
using Recipes.Execution;

namespace Recipes.Benchmarks;

/// <summary>
/// Plan and status at a million samples, and the memory of a large first build (docs/BENCHMARKS.md, "A million
/// samples"). <c>scale N synthesize</c> fills a cache as if every node of the N-sample benchmark recipe had run (each
/// entry keyed exactly as a build keys it, every output the same small blob, so four million nodes fit on a laptop's
/// disk); <c>scale N status</c> then times load, plan, probe and explain in a fresh process and reports its peak
/// memory and collector pauses (RECIPES_BENCH_HEAP=1 adds the live heap after each step, RECIPES_BENCH_SPLIT=1 times
/// the probe's snapshot and pack-index reads on their own); <c>scale N build</c> builds the recipe from an empty cache, running every node, and reports the same.
/// </summary>
public static class ScaleBenchmark
{
    public static int Run(string[] args)
    {
        if (args is not [var countText, var step] || !int.TryParse(countText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            Console.Error.WriteLine("usage: scale N synthesize|status|build");
            return 2;
        }
        var recipe = new BenchmarkRecipe(count);
        var clock = Stopwatch.StartNew();
        switch (step)
        {
            case "synthesize":
                recipe.WriteFiles();
                var nodes = Synthesize(recipe);
                Console.WriteLine($"synthesized {nodes:N0} cached nodes in {clock.Elapsed.TotalSeconds:0.0} s");
                break;
            case "status":
                var laps = new List<string>();
                var heap = Environment.GetEnvironmentVariable("RECIPES_BENCH_HEAP") == "1";
                void Lap(string name)
                {
                    laps.Add($"{name} {clock.Elapsed.TotalSeconds:0.00} s" + (heap ? $" (live {GC.GetTotalMemory(true) / 1e6:0} MB, allocated {GC.GetTotalAllocatedBytes() / 1e6:0} MB, GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)})" : ""));
                    clock.Restart();
                }
                var split = Environment.GetEnvironmentVariable("RECIPES_BENCH_SPLIT") == "1";
                var loaded = new Recipes.Recipe.RecipeLoader(recipe.Registry).Load(recipe.RecipePath);
                var cache = new CacheStore(recipe.CacheDirectory);
                // As `recipes status` does (RecipeSession.Open): the snapshot is read while the samples are drawn and planned.
                if (!split) cache.States.Preload(loaded.Name, loaded.RecipePath);
                _ = loaded.Samples.Count;
                Lap("load+sample");
                var graph = Recipes.Graph.GraphPlanner.Plan(loaded);
                Lap("plan");
                if (split)
                {
                    // The probe's reads one by one (it overlaps them), so that each one's cost shows.
                    cache.States.Load(graph.Recipe.Name, graph.Recipe.RecipePath);
                    Lap("snapshot");
                    cache.Actions.LoadIndex();
                    Lap("action index");
                }
                var states = new CacheScan(cache).Probe(graph);
                Lap("probe");
                var stale = new Status.StalenessExplainer(cache).Explain(graph, states);
                Lap("explain");
                var cached = states.Status.Count(s => s == NodeStatus.Cached);
                Console.WriteLine($"status of {count:N0} samples ({graph.Nodes.Count:N0} nodes, {cached:N0} cached, {stale.Count:N0} stale): " +
                                  $"{string.Join(", ", laps)}; peak memory {Peak()}, GC pauses {GC.GetTotalPauseDuration().TotalSeconds:0.0} s ({GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)})");
                break;
            case "build":
                recipe.WriteFiles();
                var result = recipe.Build();
                Console.WriteLine($"first build of {count:N0} samples: {result.Summary.Nodes:N0} nodes ({result.Summary.Executed:N0} executed, " +
                                  $"{result.Summary.Failed} failed) in {clock.Elapsed.TotalSeconds:0.0} s; peak memory {Peak()}");
                break;
            default:
                Console.Error.WriteLine($"unknown step '{step}': synthesize, status or build");
                return 2;
        }
        return 0;
    }

    private static string Peak()
    {
        using var self = Process.GetCurrentProcess();
        return $"{self.PeakWorkingSet64 / (1024.0 * 1024 * 1024):0.00} GiB";
    }

    private static int Synthesize(BenchmarkRecipe recipe)
    {
        var graph = recipe.Plan();
        var cache = new CacheStore(recipe.CacheDirectory);
        var scan = new CacheScan(cache);
        var states = new NodeStates(graph.Nodes.Count);
        var content = "a stand-in output, the same for every node\n"u8;
        var blob = cache.Blobs.PutBytes(content);
        foreach (var node in graph.Nodes)
        {
            // Nodes come stage by stage, so every dependency is done and keyed before its dependents.
            var key = scan.KeyOf(node, states);
            IReadOnlyList<OutputFile> outputs = [new OutputFile($"{node.StageName}.txt", blob, content.Length)];
            cache.Actions.Put(new ActionEntry
            {
                Key = key.Hash,
                Node = node.Id,
                Stage = node.StageName,
                Plugin = node.Plugin.Name,
                Version = node.Plugin.Version,
                Spec = node.Spec.Text,
                Inputs = key.Inputs,
                Outputs = outputs,
            });
            states.Outputs[node.Index] = outputs;
            states.Metrics[node.Index] = NodeMetrics.Empty;
            states.Status[node.Index] = NodeStatus.Executed;
        }
        cache.Actions.CloseWriter();
        scan.Save(graph, states);
        return graph.Nodes.Count;
    }
}
