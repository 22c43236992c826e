using Recipes.Tests.Support;

namespace Recipes.Tests.Cli;

/// <summary>
/// The outputs users and editors read, pinned as text: a change to the graph's shape, the schema or a command's help
/// shows up as a reviewed diff of a <c>*.verified.txt</c> file rather than slipping through.
/// </summary>
public sealed class SnapshotTests
{
    [Theory]
    [InlineData("mermaid")]
    [InlineData("dot")]
    [InlineData("json")]
    public void TheQuickstartGraph(string format)
    {
        using var ws = new Workspace();
        ws.CopyRecipe("quickstart");
        var result = Support.Cli.Run(ws.Root, "graph", "recipe.yaml", "--format", format);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Snapshot.Match(result.Stdout, "quickstart-graph-" + format);
    }

    [Fact]
    public void TheExpandedGraphOfASmallSweep()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, space: "a: { choice: [1, 2] }\n    b: { choice: [x] }");
        var result = Support.Cli.Run(ws.Root, "graph", "recipe.yaml", "--expand");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Snapshot.Match(result.Stdout, "sweep-graph-expanded");
    }

    /// <summary>
    /// The plan key of every shipped recipe: equal plan keys mean equal action keys, so a refactoring that would make
    /// users' caches stale (a spec member renamed, a default moved, a number printed differently) fails here. The
    /// OpenFOAM recipe is left out: its key includes the installed OpenFOAM's version.
    /// </summary>
    [Fact]
    public void ThePlanKeysOfTheShippedRecipes()
    {
        var repo = MalformedRecipeTests.RepoRoot();
        var recipes = new[]
        {
            "quickstart/recipe.yaml", "heat-diffusion/recipe.yaml", "heat-diffusion/ci.yaml", "dam-break/recipe.yaml", "dam-break/ci.yaml",
            "dam-break/recipe-3d.yaml", "dam-break/cube-3d.yaml", "dam-break/dam2d.yaml", "smoke-diffusion/recipe.yaml", "smoke-diffusion/ci.yaml",
            "smoke-diffusion/reference-256.yaml", "heat-diffusion/pytorch.yaml",
        };
        var lines = new List<string>();
        foreach (var recipe in recipes)
        {
            var result = Support.Cli.Run(repo, "cache", "key", Path.Combine("recipes", recipe));
            Assert.True(result.ExitCode == 0, recipe + ": " + result.Stderr);
            lines.Add($"{recipe} {result.LastLine}");
        }
        Snapshot.Match(string.Join('\n', lines) + "\n", "plan-keys");
    }

    [Fact]
    public void TheSchema()
    {
        using var ws = new Workspace();
        var result = Support.Cli.Run(ws.Root, "schema");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Snapshot.Match(result.Stdout, "schema");
    }

    [Theory]
    [InlineData("root")]
    [InlineData("build")]
    [InlineData("status")]
    [InlineData("graph")]
    [InlineData("cache")]
    [InlineData("why")]
    [InlineData("export-provenance")]
    public void TheHelp(string command)
    {
        using var ws = new Workspace();
        var result = command == "root" ? Support.Cli.Run(ws.Root, "--help") : Support.Cli.Run(ws.Root, command, "--help");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Snapshot.Match(result.Stdout, "help-" + command);
    }
}
