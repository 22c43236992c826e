using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Solvers.Heat2d;

namespace Recipes.Solvers.Tests.Heat2d;

/// <summary>The <c>heat2d</c> plug-in as a node runs it: the scheme setting, its metrics and its outputs.</summary>
public sealed class Heat2dSolverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("heat2d-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (Dictionary<string, JsonNode?> Metrics, float[] Steady, string Log) Run(JsonObject settings, DeviceKind device = DeviceKind.Cpu)
    {
        var output = Directory.CreateDirectory(Path.Combine(_root, Guid.NewGuid().ToString("N"))).FullName;
        var metrics = new Dictionary<string, JsonNode?>();
        using var log = new StringWriter();
        new Heat2dSolver().RunAsync(new PluginContext
        {
            NodeId = "simulate/000000",
            Stage = StageNames.Simulate,
            Settings = new ValueMap(settings.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone()))),
            Parameters = new ValueMap([new("sources", 3)]),
            Seed = 42,
            Upstream = [],
            WorkDirectory = _root,
            OutputDirectory = output,
            Log = log,
            Metrics = metrics,
            Threads = 1,
            Device = device,
        }, CancellationToken.None).GetAwaiter().GetResult();
        return (metrics, NpyFile.Read(Path.Combine(output, "steady.npy")).Data, log.ToString());
    }

    [Fact]
    public void MultigridIsTheDefaultAndAgreesWithSor()
    {
        var (metrics, steady, _) = Run(new JsonObject { ["size"] = 33 });
        Assert.Equal("multigrid", metrics["scheme"]!.GetValue<string>());
        Assert.InRange(metrics["cycles"]!.GetValue<int>(), 1, 12);
        Assert.True(metrics["residual"]!.GetValue<double>() <= 1e-8);
        Assert.False(metrics.ContainsKey("iterations"));

        var (sorMetrics, sorSteady, _) = Run(new JsonObject { ["size"] = 33, ["scheme"] = "sor" });
        Assert.Equal("sor", sorMetrics["scheme"]!.GetValue<string>());
        Assert.True(sorMetrics["iterations"]!.GetValue<int>() > 8);
        Assert.True(steady.Zip(sorSteady, (a, b) => Math.Abs(a - b)).Max() < 1e-5);
    }

    [Fact]
    public void MultigridRunsOnTheCpuWhenCudaIsRequestedAndSaysSo()
    {
        var (metrics, _, log) = Run(new JsonObject { ["size"] = 17 }, DeviceKind.Cuda);
        Assert.Equal("multigrid", metrics["scheme"]!.GetValue<string>());
        Assert.Contains("runs on the CPU", log, StringComparison.Ordinal);
        Assert.Contains("on cpu", log, StringComparison.Ordinal);
    }

    [Fact]
    public void TooFewCyclesFailTheNode()
    {
        var error = Assert.Throws<PluginException>(() => Run(new JsonObject { ["size"] = 33, ["max_cycles"] = 1 }));
        Assert.Contains("raise max_cycles", error.Message, StringComparison.Ordinal);
    }
}
