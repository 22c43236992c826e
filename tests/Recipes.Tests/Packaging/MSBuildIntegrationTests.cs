using Recipes.Tests.Support;

namespace Recipes.Tests.Packaging;

/// <summary>
/// The sample project (tests/Samples/RecipeConsumer) built with <c>dotnet build</c>: the recipe builds with the project,
/// a second build does no recipe work, its outputs come back as items, and a broken recipe fails the build with the
/// recipe's own file(line,col).
/// </summary>
[Trait("Category", "Slow")]
public sealed class MSBuildIntegrationTests
{
    private static readonly Lazy<string> TasksAssembly = new(() => FixtureClock.Measure("dotnet build tasks", () =>
    {
        var output = Path.Combine(Path.GetTempPath(), "recipes-tests", "tasks-" + Guid.NewGuid().ToString("N")[..8]);
        var result = Dotnet(Cli.MalformedRecipeTests.RepoRoot(), "build", Path.Combine("tasks", "Recipes.Tasks.csproj"), "-c", "Release", "-o", output);
        Assert.True(result.ExitCode == 0, result.Output);
        return Path.Combine(output, "Recipes.Tasks.dll");
    }));

    private static DotnetProcess.Result Dotnet(string directory, params string[] args) => DotnetProcess.Run(directory, null, args);

    private static Workspace Sample()
    {
        var ws = new Workspace();
        var source = Path.Combine(Cli.MalformedRecipeTests.RepoRoot(), "tests", "Samples", "RecipeConsumer");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("out", StringComparison.Ordinal) || relative.StartsWith(".recipes", StringComparison.Ordinal)) continue;
            var target = Path.Combine(ws.Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return ws;
    }

    private static DotnetProcess.Result Build(Workspace ws) => Dotnet(ws.Root, "build", "RecipeConsumer.csproj", "-c", "Release", "-nologo",
        $"-p:RecipesTasksRoot={Path.Combine(Cli.MalformedRecipeTests.RepoRoot(), "tasks")}/",
        $"-p:RecipesTasksAssembly={TasksAssembly.Value}",
        $"-p:RecipesToolPrefix={Support.Cli.ToolPath}");

    [Fact]
    public void TheSecondBuildDoesNoRecipeWorkAndOutputsComeBackAsItems()
    {
        using var ws = Sample();
        var first = Build(ws);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("recipes: building", first.Output);
        var data = Path.Combine(ws.Root, "bin", "Release", "net10.0", "recipe-data", "consumer-sweep");
        var table = Path.Combine(data, "dataset", "shard-0000.csv");
        Assert.True(File.Exists(table), "the recipe's table should be copied next to the assembly through @(RecipeOutput)");
        Assert.Equal(4, File.ReadAllLines(table).Length);
        // %(RecipePath) keeps the tree: the three samples' out.txt stay three files.
        Assert.Equal(3, Directory.EnumerateFiles(data, "out.txt", SearchOption.AllDirectories).Count());

        var second = Build(ws);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain("recipes: building", second.Output);

        // A template edit makes MSBuild call the tool again.
        File.AppendAllText(Path.Combine(ws.Root, "data", "base", "input.txt.sbn"), "more\n");
        var third = Build(ws);
        Assert.Contains("recipes: building", third.Output);
    }

    [Fact]
    public void ABrokenRecipeFailsTheBuildWithItsFileLineAndColumn()
    {
        using var ws = Sample();
        var recipe = Path.Combine(ws.Root, "data", "sweep.yaml");
        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("stages:", "stages:\n  simulte: {}"));
        var result = Build(ws);
        Assert.NotEqual(0, result.ExitCode);
        Assert.True(result.Output.Contains($"{recipe}(7,3): error RCP0001: unknown key 'simulte'", StringComparison.Ordinal), result.Output);
    }
}
