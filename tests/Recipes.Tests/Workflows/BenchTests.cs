using System.Text.Json.Nodes;
using Recipes.Bench;
using Recipes.Tests.Support;

namespace Recipes.Tests.Workflows;

public sealed class BenchTests
{
    [Theory]
    [InlineData(10, 2.0, 1, 20.0)]
    [InlineData(10, 2.0, 4, 6.0)]
    [InlineData(10, 2.0, 10, 2.0)]
    [InlineData(10, 2.0, 32, 2.0)]
    [InlineData(0, 2.0, 3, 0.0)]
    public void TheProjectionRunsCeilingOfSamplesOverWorkersRounds(int samples, double seconds, int workers, double wall)
    {
        var projection = BenchProjection.Project(samples, seconds, workers, 3.6);
        Assert.Equal(wall, projection.WallSeconds, 9);
        Assert.Equal(wall * workers / 3600, projection.MachineHours, 12);
        Assert.Equal(projection.MachineHours * 3.6, projection.Cost!.Value, 12);
        Assert.Null(BenchProjection.Project(samples, seconds, workers, null).Cost);
    }

    [Fact]
    public void ZeroWorkersIsRefused() => Assert.Throws<ArgumentOutOfRangeException>(() => BenchProjection.Project(1, 1, 0, null));

    [Fact]
    [Trait("Category", "Slow")]
    public void BenchOnHeat2dAtThreeGridSizesIsMeasuredOnceThenCached()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("heat-diffusion");
        string[] args = ["bench", "recipe.yaml", "--fidelity", "size=16,32,64", "--samples", "2", "--devices", "cpu:1", "--workers", "10", "--price-per-hour", "1"];
        var first = Support.Cli.Run(ws.Root, args);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("size", first.Stdout);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Root, "out", "heat-diffusion", "bench", "bench.json")))!;
        var rows = json["rows"]!.AsArray();
        Assert.Equal(["16", "32", "64"], rows.Select(r => r!["level"]!.GetValue<string>()));
        Assert.All(rows, r => Assert.Equal(200, r!["projected_samples"]!.GetValue<int>()));
        Assert.All(rows, r => Assert.True(r!["peak_bytes"]!.GetValue<long>() > 1 << 20));
        var output = rows.Select(r => r!["output_bytes"]!.GetValue<long>()).ToList();
        Assert.True(output[0] < output[1] && output[1] < output[2], "bigger grids write bigger fields");
        Assert.True(File.Exists(Path.Combine(ws.Root, "out", "heat-diffusion", "bench", "bench.png")));
        Assert.DoesNotContain("(cached)", first.Stderr);

        var second = Support.Cli.Run(ws.Root, args);
        Assert.Equal(0, second.ExitCode);
        // Two samples run twice each (at least three measured runs per level), all six levels' runs come from the cache.
        Assert.Equal(12, second.Stderr.Split('\n').Count(l => l.Contains("(cached)", StringComparison.Ordinal)));
        Assert.All(rows, r => Assert.Equal(4, r!["runs"]!.GetValue<int>()));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TheMedianAndPeakMemoryAreThoseOfANodeWithAKnownSleepAndAllocation()
    {
        using var ws = new Workspace();
        // Each run sleeps 0.3 s, then awk doubles a string up to MB MiB (holding it and its half at the last step).
        ws.Write("base/work.sh.sbn", "sleep 0.3\nawk 'BEGIN { s = \"a\"; while (length(s) < {{ mb }} * 1048576) s = s s; print length(s) }'\n");
        ws.Write("recipe.yaml", """
            recipe: known-cost
            base_case: { dir: base/ }
            parameters:
              space:
                mb: { choice: [32] }
            stages:
              simulate: { solver: exec, command: "sh work.sh > out.txt", outputs: [out.txt] }
            """);
        var result = Support.Cli.Run(ws.Root, "bench", "recipe.yaml", "--fidelity", "mb=32,128", "--samples", "1", "--devices", "cpu:1", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var rows = JsonNode.Parse(result.LastLine)!["rows"]!.AsArray();
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            var mb = int.Parse(row!["level"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
            // One sample, so it runs three times after a warm-up that is not counted: a true median of three.
            Assert.Equal(BenchRunner.MinimumRuns, row["runs"]!.GetValue<int>());
            Assert.InRange(row["seconds_per_sample"]!.GetValue<double>(), 0.3, 2.5);
            // The run's own peak: at least the string it held, and not the process's whole history.
            Assert.InRange(row["peak_bytes"]!.GetValue<long>(), (long)mb << 20, ((long)mb << 20) * 3 + (300L << 20));
            Assert.True(row["startup_seconds"]!.GetValue<double>() > 0, "the child's start-up is reported apart");
            Assert.True(row["first_run_extra_seconds"]!.GetValue<double>() >= 0);
        }
        Assert.True(rows[1]!["peak_bytes"]!.GetValue<long>() > rows[0]!["peak_bytes"]!.GetValue<long>() + (80L << 20),
            "128 MiB held must show as about 96 MiB (and its half) more than 32 MiB held");
    }

    [Fact]
    public void TheMedianOfThreeIsTheMiddleRunNotTheMean()
    {
        Assert.Equal(0.02, BenchRow.Median([2.6, 0.02, 0.015]));
        Assert.Equal(0.5, BenchRow.Median([0.4, 0.6]));
    }

    [Fact]
    public void AnUnknownFidelityParameterIsAUsageError()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("heat-diffusion");
        var result = Support.Cli.Run(ws.Root, "bench", "recipe.yaml", "--fidelity", "sise=16,32");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("did you mean 'size'", result.Stderr);
    }

    /// <summary>A fidelity knob that is a stage setting (sph's spacing, smoke2d's size) is named by its path.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void AStageSettingPathIsAFidelityKnob()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("heat-diffusion");
        // The base case's size would win over the setting, so the benched recipe reads it from the stage.
        File.WriteAllText(ws.Path_("recipe.yaml"), File.ReadAllText(ws.Path_("recipe.yaml")).Replace("    size: 64                     # grid nodes per side\n", "    unused: 0\n"));
        var result = Support.Cli.Run(ws.Root, "bench", "recipe.yaml", "--fidelity", "stages.simulate.size=16,48", "--samples", "1", "--devices", "cpu:1", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var rows = JsonNode.Parse(result.LastLine)!["rows"]!.AsArray();
        Assert.Equal(["16", "48"], rows.Select(r => r!["level"]!.GetValue<string>()));
        Assert.True(rows[1]!["output_bytes"]!.GetValue<long>() > 4 * rows[0]!["output_bytes"]!.GetValue<long>(), "48² fields are 9 times the bytes of 16² ones");

        var wrong = Support.Cli.Run(ws.Root, "bench", "recipe.yaml", "--fidelity", "stages.simulate.sise=16,32");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("sise", wrong.Stderr);
    }
}
