using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Tests.Support;
using Xunit.Abstractions;

namespace Recipes.Tests.Workflows;

/// <summary>
/// Every draw recorded: a heat2d sample is rebuilt from out/ alone. The disks come from the sample's draws.json, the
/// grid from steady.npy's shape, and the steady state from a direct solve written here, independent of the solver's
/// code: the same problem as heat2d states it (nodes at spacing 1/(N−1), the boundary held at 0, every interior node
/// within a disk's radius of its centre held at its temperature, later disks over earlier ones, the 5-point Laplace
/// equation elsewhere), solved by Gaussian elimination.
/// </summary>
public sealed class HeatDrawsTests(ITestOutputHelper output)
{
    private const string RecipeText = """
        recipe: heat-draws
        seed: 11
        base_case:
          params: { size: 17 }
        parameters:
          samples: 3
          sampler: random
          space:
            sources: { int: [2, 4] }
        stages:
          simulate: { solver: heat2d, radius: 0.13, temperature: 0.8 }
          augment: { dihedral: 2 }
          dataset: { format: npy, split: { train: 0.67, test: 0.33 } }
        """;

    /// <summary>
    /// The solver stops at a max-norm residual of 1e-8 (unscaled 5-point) and writes float32: its field is within
    /// about 1e-7 of the exact discrete solution. Ten times more is allowed; a disk off by one node changes the field by
    /// far more (tenths).
    /// </summary>
    private const double Tolerance = 1e-6;

    [Fact]
    public void AHeatSampleIsResimulatedFromItsRecordedDisksAndTheDatasetManifestCarriesThem()
    {
        using var ws = new Workspace();
        ws.Write("recipe.yaml", RecipeText);
        BuildAssert.NoFailures(ws.BuildThrough(StageNames.Dataset));
        var root = Path.Combine(ws.OutDir, "heat-draws");

        var recorded = new Dictionary<string, JsonObject>();
        var worst = 0.0;
        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(root, "samples")).Order(StringComparer.Ordinal))
        {
            var id = Path.GetFileName(folder);
            var file = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "simulate", SampleDraws.FileName)))!.AsObject();
            Assert.True(file["seed"]!.GetValue<ulong>() > 0);
            var draws = file[SampleDraws.Key]!.AsObject();
            recorded[id] = draws;
            var disks = draws["disks"]!.AsArray().Select(d => new[]
            {
                d!["x"]!.GetValue<double>(), d["y"]!.GetValue<double>(), d["radius"]!.GetValue<double>(), d["temperature"]!.GetValue<double>(),
            }).ToList();
            Assert.InRange(disks.Count, 2, 4);
            Assert.All(disks, d => Assert.Equal([0.13, 0.8], d[2..]));

            var steady = NpyFile.Read(Path.Combine(folder, "simulate", "steady.npy"));
            var n = steady.Shape[0];
            Assert.Equal([17, 17], steady.Shape);
            var exact = Resolve(n, disks);
            var difference = exact.Zip(steady.Data, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"{id}: {disks.Count} disks, max |direct - steady.npy| = {difference:E3}");
            Assert.True(difference <= Tolerance, $"{id}: the direct solve from the recorded disks differs from steady.npy by {difference:E3}");
            // The disks matter: the field is not the zero of an empty problem.
            Assert.True(steady.Data.Max() > 0.5f);
            worst = Math.Max(worst, difference);
        }
        Assert.Equal(3, recorded.Count);
        output.WriteLine($"worst: {worst:E3}");

        // The dataset manifest carries each sample's draws beside its parameters, as recorded (after augmentation).
        var entries = Directory.EnumerateFiles(Path.Combine(root, "dataset"), "*.json")
            .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!["samples"]!.AsArray()).ToList();
        Assert.Equal(3, entries.Count);
        foreach (var entry in entries)
        {
            var id = entry!["id"]!.GetValue<string>();
            Assert.NotNull(entry["parameters"]!["sources"]);
            Assert.Equal(entry["parameters"]!["sources"]!.GetValue<int>(), entry[SampleDraws.Key]!["disks"]!.AsArray().Count);
            Assert.True(JsonNode.DeepEquals(recorded[id], entry[SampleDraws.Key]), $"{id}: the manifest's draws differ from draws.json");
        }
    }

    /// <summary>The steady state of the masked Laplace problem on an n×n grid, by dense Gaussian elimination with partial pivoting (the solver tests' independent reference).</summary>
    private static double[] Resolve(int n, List<double[]> disks)
    {
        var h = 1.0 / (n - 1);
        var held = new bool[n * n];
        var value = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (i == 0 || j == 0 || i == n - 1 || j == n - 1)
                {
                    held[i * n + j] = true;
                    continue;
                }
                foreach (var d in disks)
                {
                    var (dx, dy) = (j * h - d[0], i * h - d[1]);
                    if (dx * dx + dy * dy > d[2] * d[2]) continue;
                    held[i * n + j] = true;
                    value[i * n + j] = d[3];
                }
            }
        }
        return Recipes.Solvers.Tests.Heat2d.DirectSolver.Solve(n, held, value);
    }
}
