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
        Assert.Equal(6, second.Stderr.Split('\n').Count(l => l.Contains("(cached)", StringComparison.Ordinal)));
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
}
