using System.Reflection;

namespace Recipes.Tests.Layering;

/// <summary>
/// The projects above the engine, as the tool loads them: every type lives under its project's namespace (a reader
/// finds a type's assembly from its name), and each project references only the layers below it, so the plug-in
/// contract holds no imaging library and the stages without libtorch never load TorchSharp.
/// </summary>
public sealed class ProjectLayeringTests
{
    private static Assembly Load(string name) => Assembly.Load(new AssemblyName(name));

    [Theory]
    [InlineData("Recipes.Plugins")]
    [InlineData("Recipes.Plotting")]
    [InlineData("Recipes.Solvers")]
    [InlineData("Recipes.Stages")]
    [InlineData("Recipes.Training")]
    public void EveryTypeLivesUnderItsProjectsNamespace(string project)
    {
        var strays = Load(project).GetTypes()
            .Where(t => t.Namespace is { } ns && !ns.StartsWith("<", StringComparison.Ordinal) && !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false))
            .Where(t => t.Namespace != project && !t.Namespace!.StartsWith(project + ".", StringComparison.Ordinal)
                // Source generators and the compiler put a few helpers in their own namespaces.
                && !t.Namespace.StartsWith("System", StringComparison.Ordinal) && !t.Namespace.StartsWith("Microsoft", StringComparison.Ordinal))
            .Select(t => t.FullName).ToList();
        Assert.True(strays.Count == 0, $"{project} holds types outside its namespace: {string.Join(", ", strays.Take(10))}");
    }

    [Theory]
    [InlineData("Recipes.Plugins", new[] { "SkiaSharp", "ScottPlot", "SixLabors.ImageSharp", "TorchSharp", "ILGPU", "Recipes.Plotting", "Recipes.Engine" })]
    [InlineData("Recipes.Plotting", new[] { "TorchSharp", "ILGPU", "Recipes.Engine", "Recipes.Solvers" })]
    [InlineData("Recipes.Stages", new[] { "TorchSharp", "ILGPU", "Recipes.Training", "Recipes.Solvers" })]
    [InlineData("Recipes.Training", new[] { "ILGPU", "Recipes.Engine", "Recipes.Stages", "Recipes.Solvers" })]
    [InlineData("Recipes.Solvers", new[] { "TorchSharp", "Recipes.Engine", "Recipes.Stages", "Recipes.Training" })]
    public void EachProjectReferencesOnlyTheLayersBelowIt(string project, string[] forbidden)
    {
        var references = Load(project).GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        var offending = references.Where(r => forbidden.Any(f => r == f || r.StartsWith(f + ".", StringComparison.Ordinal))).ToList();
        Assert.True(offending.Count == 0, $"{project} references {string.Join(", ", offending)}");
    }
}
