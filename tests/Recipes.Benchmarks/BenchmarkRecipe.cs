using Recipes.Cache;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Materialization;
using Recipes.Plugins;
using Recipes.Recipe;
using Recipes.Reporting;
using Recipes.Cli;
using Recipes.Registry;

namespace Recipes.Benchmarks;

/// <summary>
/// A recipe of N samples with four per-sample stages (render, simulate, postprocess, augment: 4N nodes) plus dataset
/// shards, in a directory of its own, built once so that the benchmarks measure no-op status and build.
/// </summary>
public sealed class BenchmarkRecipe
{
    public BenchmarkRecipe(int samples)
    {
        Samples = samples;
        Root = Path.Combine(Path.GetTempPath(), "recipes-bench", samples.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Registry = BuiltinPlugins.Create();
        foreach (var stage in new[] { StageNames.Simulate, StageNames.Postprocess, StageNames.Augment, StageNames.Dataset })
            Registry.Register(new EchoStage(stage));
    }

    public int Samples { get; }
    public string Root { get; }
    public PluginRegistry Registry { get; }
    public string RecipePath => Path.Combine(Root, "recipe.yaml");
    public string CacheDirectory => Path.Combine(Root, ".recipes");
    public string OutDirectory => Path.Combine(Root, "out");

    public void Prepare()
    {
        WriteFiles();
        var first = Build();
        if (first.Summary.Failed > 0) throw new InvalidOperationException("benchmark recipe failed to build");
    }

    /// <summary>The recipe and its base case, nothing built.</summary>
    public void WriteFiles()
    {
        Directory.CreateDirectory(Path.Combine(Root, "base"));
        File.WriteAllText(Path.Combine(Root, "base", "case.ini.sbn"), "x = {{ x }}\nn = {{ n }}\nmode = {{ mode }}\n");
        File.WriteAllText(RecipePath, $"""
            recipe: bench
            seed: 1
            base_case: {"{"} dir: base/ {"}"}
            parameters:
              samples: {Samples}
              sampler: random
              space:
                x: {"{"} uniform: [0, 1] {"}"}
                n: {"{"} int: [1, 5] {"}"}
                mode: {"{"} choice: [a, b, c] {"}"}
            stages:
              simulate: {"{"} solver: echo {"}"}
              postprocess: {"{"} converter: echo {"}"}
              augment: {"{"} augmenter: echo {"}"}
              dataset: {"{"} format: echo, shard: 256 {"}"}
            """);
    }

    public BuildGraph Plan() => GraphPlanner.Plan(new RecipeLoader(Registry).Load(RecipePath));

    /// <summary>What <c>recipes status</c> does after start-up: load, plan, probe, explain.</summary>
    public int Status()
    {
        var graph = Plan();
        var cache = new CacheStore(CacheDirectory);
        var states = new CacheScan(cache).Probe(graph);
        var stale = new Status.StalenessExplainer(cache).Explain(graph, states);
        return stale.Count;
    }

    /// <summary>What <c>recipes build</c> does after start-up: load, plan, probe, run stale nodes, materialize.</summary>
    public BuildResult Build()
    {
        var graph = Plan();
        var cache = new CacheStore(CacheDirectory);
        var options = new BuildOptions { Jobs = Environment.ProcessorCount, OutputRoot = OutDirectory };
        var result = new BuildEngine(cache).BuildAsync(graph, options, NullReporter.Instance, CancellationToken.None).GetAwaiter().GetResult();
        new OutputMaterializer(cache).Materialize(result, OutDirectory);
        return result;
    }

    /// <summary>One no-op status and build, step by step: load, plan, probe, explain; build (probe included), materialize.</summary>
    public IReadOnlyList<(string Name, double Seconds)> Phases()
    {
        var phases = new List<(string, double)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pause = GC.GetTotalPauseDuration();
        var allocated = GC.GetTotalAllocatedBytes();
        void Lap(string name)
        {
            phases.Add((name, clock.Elapsed.TotalSeconds));
            // GC pause and megabytes allocated, shown in the same column (as ms and as MB x 1000).
            phases.Add(("  gc", (GC.GetTotalPauseDuration() - pause).TotalSeconds));
            phases.Add(("  MB", (GC.GetTotalAllocatedBytes() - allocated) / 1e9));
            pause = GC.GetTotalPauseDuration();
            allocated = GC.GetTotalAllocatedBytes();
            clock.Restart();
        }
        var recipe = new RecipeLoader(Registry).Load(RecipePath);
        Lap("load");
        _ = recipe.Samples.Count;
        Lap("sample");
        var graph = GraphPlanner.Plan(recipe);
        Lap("plan");
        var cache = new CacheStore(CacheDirectory);
        if (Environment.GetEnvironmentVariable("RECIPES_BENCH_PARTS") == "1")
        {
            var parts = new CacheStore(CacheDirectory);
            parts.Blobs.LoadIndex();
            Lap("(blob list)");
            parts.Actions.LoadIndex();
            Lap("(entry list)");
            parts.States.Load(recipe.Name, recipe.RecipePath);
            Lap("(snapshot)");
        }
        var states = new CacheScan(cache).Probe(graph);
        Lap("probe");
        new Status.StalenessExplainer(cache).Explain(graph, states);
        Lap("explain");
        var options = new BuildOptions { Jobs = Environment.ProcessorCount, OutputRoot = OutDirectory };
        cache = new CacheStore(CacheDirectory);
        var result = new BuildEngine(cache).BuildAsync(graph, options, NullReporter.Instance, CancellationToken.None).GetAwaiter().GetResult();
        Lap("build");
        new OutputMaterializer(cache).Materialize(result, OutDirectory);
        Lap("materialize");
        return phases;
    }

    /// <summary>
    /// The I/O floor of a no-op: read every action entry once, nothing else — each one-file entry under <c>ac/</c>
    /// (caches written before packs) and each pack whole.
    /// </summary>
    public long ReadAllEntries()
    {
        long bytes = 0;
        foreach (var folder in new[] { "ac", "packs" })
        {
            var root = Path.Combine(CacheDirectory, folder);
            if (!Directory.Exists(root)) continue;
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
                if (folder == "ac" || file.EndsWith(ActionPacks.PackExtension, StringComparison.Ordinal)) bytes += File.ReadAllBytes(file).Length;
        }
        return bytes;
    }
}
