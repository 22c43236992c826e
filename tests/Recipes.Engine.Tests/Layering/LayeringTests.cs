using System.Text.Json.Nodes;
using Recipes.Documents;
using Recipes.Diagnostics;

namespace Recipes.Engine.Tests.Layering;

/// <summary>
/// The engine sits below the stages: it must build and run without TorchSharp, libtorch or ILGPU, so that these tests
/// stay fast and a change to a trainer cannot break the scheduler's build.
/// </summary>
public sealed class LayeringTests
{
    private static readonly string[] Forbidden = ["TorchSharp", "libtorch", "ILGPU", "Recipes.Stages", "Recipes.Training", "Recipes.Solvers", "Recipes.Plotting", "SkiaSharp", "ScottPlot", "SixLabors"];

    [Fact]
    public void TheEngineDependsOnNoTrainingSolverOrStageLibrary()
    {
        // The test project references only the engine, so its dependency file is the engine's whole closure.
        var depsFile = Path.Combine(AppContext.BaseDirectory, "Recipes.Engine.Tests.deps.json");
        var deps = JsonNode.Parse(File.ReadAllText(depsFile))!;
        var libraries = deps["libraries"]!.AsObject().Select(p => p.Key.Split('/')[0]).ToList();
        Assert.Contains("Recipes.Engine", libraries);
        // "recipes" is the CLI's assembly: the engine must not reach up to it either.
        var offending = libraries.Where(name => name == "recipes" || Forbidden.Any(f => name.Equals(f, StringComparison.OrdinalIgnoreCase) ||
            name.StartsWith(f + ".", StringComparison.OrdinalIgnoreCase) || name.StartsWith(f + "-", StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(offending.Count == 0, "the engine's closure includes " + string.Join(", ", offending));
    }

    [Fact]
    public void EngineWorkLoadsNoNativeLibrary()
    {
        // Exercise the parts that a build touches before any stage runs.
        var bag = new DiagnosticBag();
        Assert.NotNull(YamlDocumentReader.Read("a: [1, 2]\n", "r.yaml", bag));
        Assert.Equal(32, Recipes.Hashing.ContentHash.Of("x").Length);
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "").ToList();
        Assert.DoesNotContain(loaded, name => name.StartsWith("TorchSharp", StringComparison.Ordinal) || name.StartsWith("ILGPU", StringComparison.Ordinal));
        if (!OperatingSystem.IsLinux()) return;
        var maps = File.ReadAllText("/proc/self/maps");
        foreach (var native in new[] { "libtorch", "libLibTorchSharp", "libSkiaSharp", "libc10" })
            Assert.DoesNotContain(native, maps, StringComparison.Ordinal);
    }
}
