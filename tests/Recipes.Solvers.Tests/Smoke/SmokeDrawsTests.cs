using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Solvers.Smoke;

namespace Recipes.Solvers.Tests.Smoke;

/// <summary>smoke2d's draws.json: both seeds, the source's strengths around the disk, the force modes; finite and repeatable.</summary>
public sealed class SmokeDrawsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("smoke-draws-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private const int Size = 16;

    private string Run(ulong seed, double forceStrength)
    {
        var output = Directory.CreateDirectory(Path.Combine(_root, Guid.NewGuid().ToString("N"))).FullName;
        new SmokeSolver().RunAsync(new PluginContext
        {
            NodeId = "simulate/000000",
            Stage = StageNames.Simulate,
            Settings = new ValueMap([new("size", Size), new("steps", 2), new("source_radius", 0.2), new("force_strength", forceStrength)]),
            Parameters = ValueMap.Empty,
            Seed = seed,
            Upstream = [],
            WorkDirectory = _root,
            OutputDirectory = output,
            Log = TextWriter.Null,
            Metrics = new Dictionary<string, JsonNode?>(),
            Threads = 1,
            Device = DeviceKind.Cpu,
        }, CancellationToken.None).GetAwaiter().GetResult();
        return Path.Combine(output, SampleDraws.FileName);
    }

    [Fact]
    public void TheSourceStrengthsAndForceModesAreRecordedFiniteAndRepeatWithTheSeed()
    {
        var path = Run(77, forceStrength: 2.0);
        var file = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal(77UL, file["seed"]!.GetValue<ulong>());
        var draws = file[SampleDraws.Key]!;
        var scene = SmokeSolver.Scene(new ValueMap([new("size", Size)]), ValueMap.Empty, 77);
        Assert.Equal(scene.SourceSeed, draws["source_seed"]!.GetValue<ulong>());
        Assert.Equal(scene.ForceSeed, draws["force_seed"]!.GetValue<ulong>());

        var source = draws["source"]!;
        var (i0, j0, columns, rows) = (source["i0"]!.GetValue<int>(), source["j0"]!.GetValue<int>(), source["columns"]!.GetValue<int>(), source["rows"]!.GetValue<int>());
        var strength = source["strength"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        Assert.Equal(columns * rows, strength.Count);
        Assert.All(strength, s => Assert.InRange(s, 0.6, 1.0));
        // Every cell the source disk (radius 0.2 at (0.5, 0.12)) covers is in the recorded block.
        for (var c = 0; c < Size * Size; c++)
        {
            var (i, j) = (c % Size, c / Size);
            var (dx, dy) = ((i + 0.5) / Size - 0.5, (j + 0.5) / Size - 0.12);
            if (dx * dx + dy * dy <= 0.2 * 0.2)
                Assert.True(i >= i0 && i < i0 + columns && j >= j0 && j < j0 + rows, $"cell ({i}, {j}) is in the source but not in the record");
        }

        var modes = draws["force_modes"]!.AsArray();
        Assert.Equal(SmokeDraws.ForceModeCount, modes.Count);
        foreach (var mode in modes)
        {
            Assert.InRange(mode!["kx"]!.GetValue<int>(), 1, 3);
            Assert.InRange(mode["ky"]!.GetValue<int>(), 1, 3);
            Assert.InRange(mode["phase"]!.GetValue<double>(), 0, 2 * Math.PI);
            Assert.InRange(mode["ax"]!.GetValue<double>(), -1, 1);
            Assert.InRange(mode["ay"]!.GetValue<double>(), -1, 1);
        }

        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(Run(77, forceStrength: 2.0)));
        Assert.NotEqual(File.ReadAllBytes(path), File.ReadAllBytes(Run(78, forceStrength: 2.0)));
    }

    [Fact]
    public void WithoutAForceFieldNoModesAreRecorded()
    {
        var draws = JsonNode.Parse(File.ReadAllText(Run(77, forceStrength: 0)))![SampleDraws.Key]!;
        Assert.Null(draws["force_modes"]);
        Assert.NotNull(draws["source"]);
    }
}
