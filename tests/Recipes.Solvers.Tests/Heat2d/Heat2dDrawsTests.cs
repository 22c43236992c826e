using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Solvers.Heat2d;

namespace Recipes.Solvers.Tests.Heat2d;

/// <summary>heat2d's draws.json: the drawn disks exactly, the same for the same seed, and absent when nothing is drawn.</summary>
public sealed class Heat2dDrawsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("heat2d-draws-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Run(ValueMap parameters, ulong seed)
    {
        var output = Directory.CreateDirectory(Path.Combine(_root, Guid.NewGuid().ToString("N"))).FullName;
        new Heat2dSolver().RunAsync(new PluginContext
        {
            NodeId = "simulate/000000",
            Stage = StageNames.Simulate,
            Settings = new ValueMap([new("size", 17), new("radius", 0.1)]),
            Parameters = parameters,
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
    public void DrawnDisksAreRecordedExactlyAndRepeatWithTheSeed()
    {
        var settings = new ValueMap([new("size", 17), new("radius", 0.1)]);
        foreach (var parameters in new[] { ValueMap.Empty, new ValueMap([new("sources", 3), new("temperature", 0.7)]) })
        {
            var path = Run(parameters, 1234);
            var file = JsonNode.Parse(File.ReadAllText(path))!;
            Assert.Equal(1234UL, file["seed"]!.GetValue<ulong>());
            var disks = file[SampleDraws.Key]!["disks"]!.AsArray();
            var expected = Heat2dSolver.Disks(settings, parameters, 1234);
            Assert.Equal(expected.Count, disks.Count);
            Assert.NotEmpty(disks);
            for (var k = 0; k < disks.Count; k++)
            {
                double[] values = [disks[k]!["x"]!.GetValue<double>(), disks[k]!["y"]!.GetValue<double>(), disks[k]!["radius"]!.GetValue<double>(), disks[k]!["temperature"]!.GetValue<double>()];
                Assert.All(values, v => Assert.True(double.IsFinite(v)));
                // Bit for bit: the text round-trips to the doubles the solver used.
                Assert.Equal(expected[k], values);
            }
            Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(Run(parameters, 1234)));
            Assert.NotEqual(File.ReadAllBytes(path), File.ReadAllBytes(Run(parameters, 1235)));
        }
    }

    [Fact]
    public void ExplicitDisksDrawNothingAndWriteNoDrawsFile()
    {
        // The same disk drawn (one source, its centre from the seed) is recorded; given, it is not.
        Assert.True(File.Exists(Run(new ValueMap([new("sources", 1), new("radius", 0.2)]), 1234)));
        var disks = new JsonArray(new JsonArray(0.5, 0.5, 0.2, 1.0));
        var path = Run(new ValueMap([new("disks", disks)]), 1234);
        Assert.False(File.Exists(path));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, "steady.npy")));
        Assert.False(File.Exists(Run(new ValueMap([new("sources", 0)]), 1234)));
    }
}
