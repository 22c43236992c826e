using System.Text.Json.Nodes;
using Recipes.Hashing;
using Recipes.Tests.Diffusion;
using Recipes.Tests.Support;

namespace Recipes.Tests.Training;

/// <summary>
/// What is bit-reproducible and what is not (docs/training.md): on one machine the same recipe gives the same bytes
/// whatever the load, at the default one libtorch thread and at two; across instruction sets (AVX-512 against AVX2)
/// the weights may differ in the last bits, and the metrics agree within <see cref="Tolerance"/>.
/// </summary>
[Trait("Category", "Training")]
public sealed class TrainingDeterminismTests
{
    /// <summary>The stated cross-instruction-set tolerance of every metric, relative to its size (absolute below 1e-6).</summary>
    public const double Tolerance = 1e-3;

    private static readonly string[] HeatSets = ["parameters.samples=8", "stages.dataset.shard=4"];

    private static string HeatModel(Workspace ws) => Path.Combine(ws.OutDir, "heat-diffusion-ci", "train", "model.safetensors");

    /// <summary>Keeps the other cores busy while a build runs, as a loaded CI machine would.</summary>
    private static async Task<T> UnderLoad<T>(Func<T> work)
    {
        using var stop = new CancellationTokenSource();
        var burners = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Run(() =>
        {
            var x = 1.0;
            while (!stop.IsCancellationRequested) x = Math.Sqrt(x + 1);
            return x;
        })).ToList();
        try
        {
            return work();
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(burners);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [Trait("Category", "BothPaths")]
    public async Task RepeatedBuildsUnderLoadGiveTheSameWeightsAtOneAndTwoThreads(int threads)
    {
        var hashes = new List<string>();
        for (var run = 0; run < 3; run++)
        {
            using var ws = new Workspace();
            ws.CopyRecipe("heat-diffusion");
            string[] sets = [.. HeatSets, $"stages.train.torch_threads={threads}", $"stages.evaluate.torch_threads={threads}"];
            var result = run == 1 ? await UnderLoad(() => ws.Build("ci.yaml", sets)) : ws.Build("ci.yaml", sets);
            BuildAssert.NoFailures(result);
            hashes.Add(ContentHash.OfFile(HeatModel(ws)) + ContentHash.OfFile(Path.Combine(ws.OutDir, "heat-diffusion-ci", "evaluate", "metrics.json")));
        }
        Assert.Single(hashes.Distinct());
    }

    /// <summary>
    /// The graph network simulator, twice from the same (shared, already simulated) smallest dam-break dataset in caches of their own, one
    /// run under load: the same weights and metrics; a NaN on either instruction-set path fails the build.
    /// </summary>
    [Fact]
    [Trait("Category", "BothPaths")]
    public async Task TheGraphNetworkGivesTheSameWeightsTwiceUnderLoad()
    {
        var hashes = new List<string>();
        for (var run = 0; run < 2; run++)
        {
            using var ws = Workspace.CopyingCache(SharedCaches.DamBreakTiny);
            SharedCaches.WithDamBreakTiny(ws);
            string[] sets = ["stages.train.steps=40", "stages.train.validate_every=20"];
            var result = run == 1 ? await UnderLoad(() => ws.Build(SharedCaches.DamBreakTinyRecipe, sets)) : ws.Build(SharedCaches.DamBreakTinyRecipe, sets);
            BuildAssert.NoFailures(result);
            Assert.Equal(2, result.Summary.Executed);
            var train = Path.Combine(ws.OutDir, SharedCaches.DamBreakTinyName, "train");
            hashes.Add(ContentHash.OfFile(Path.Combine(train, "model.safetensors")) + ContentHash.OfFile(Path.Combine(train, "validation.json"))
                + ContentHash.OfFile(Path.Combine(ws.OutDir, SharedCaches.DamBreakTinyName, "evaluate", "metrics.json")));
        }
        Assert.Single(hashes.Distinct());
    }

    private static readonly Dictionary<string, string> FullInstructionSet = new() { ["DNNL_MAX_CPU_ISA"] = "", ["ATEN_CPU_CAPABILITY"] = "" };
    private static readonly Dictionary<string, string> Avx2 = new() { ["DNNL_MAX_CPU_ISA"] = "AVX2", ["ATEN_CPU_CAPABILITY"] = "avx2" };

    private static JsonNode BuildInChild(Workspace ws, IDictionary<string, string> environment, string recipe, string recipeName, params string[] sets)
    {
        string[] args = ["build", recipe, "--cache", ws.CacheDir + "-" + environment["DNNL_MAX_CPU_ISA"], "--out", ws.OutDir + "-" + environment["DNNL_MAX_CPU_ISA"], .. sets.SelectMany(s => new[] { "--set", s })];
        var run = Support.Cli.Run(ws.Root, environment, args);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        return JsonNode.Parse(File.ReadAllText(Path.Combine(ws.OutDir + "-" + environment["DNNL_MAX_CPU_ISA"], recipeName, "evaluate", "metrics.json")))!;
    }

    private static void AgreeWithinTolerance(JsonNode? a, JsonNode? b, string path)
    {
        switch (a)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj) AgreeWithinTolerance(value, b![key], $"{path}.{key}");
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++) AgreeWithinTolerance(array[i], b![i], $"{path}[{i}]");
                break;
            case JsonValue value when value.TryGetValue(out double x):
                var y = b!.GetValue<double>();
                Assert.True(Math.Abs(x - y) <= Math.Max(1e-6, Tolerance * Math.Max(Math.Abs(x), Math.Abs(y))), $"{path}: {x} against {y}");
                break;
            default:
                Assert.Equal(a?.ToJsonString(), b?.ToJsonString());
                break;
        }
    }

    [Fact]
    // Slow: two child builds, one per instruction set (10-17 s); the full run, CI's, keeps it.
    [Trait("Category", "Slow")]
    public void HeatMetricsAgreeAcrossInstructionSets()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("heat-diffusion");
        var full = BuildInChild(ws, FullInstructionSet, "ci.yaml", "heat-diffusion-ci", HeatSets);
        var avx2 = BuildInChild(ws, Avx2, "ci.yaml", "heat-diffusion-ci", HeatSets);
        AgreeWithinTolerance(full, avx2, "metrics");
    }

    [Fact]
    // Slow: two child builds, one per instruction set (10-17 s); the full run, CI's, keeps it.
    [Trait("Category", "Slow")]
    public void LatentDiffusionMetricsAgreeAcrossInstructionSets()
    {
        using var ws = new Workspace();
        TinyDiffusionTests.Recipe(ws, TinyDiffusionTests.Latent);
        var full = BuildInChild(ws, FullInstructionSet, "recipe.yaml", "tiny-smoke");
        var avx2 = BuildInChild(ws, Avx2, "recipe.yaml", "tiny-smoke");
        AgreeWithinTolerance(full, avx2, "metrics");
    }
}
