using System.Diagnostics;
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
    private static readonly Lazy<string> TasksAssembly = new(() =>
    {
        var output = Path.Combine(Path.GetTempPath(), "recipes-tests", "tasks-" + Guid.NewGuid().ToString("N")[..8]);
        var result = Dotnet(Cli.MalformedRecipeTests.RepoRoot(), "build", Path.Combine("tasks", "Recipes.Tasks.csproj"), "-c", "Release", "-o", output);
        Assert.True(result.ExitCode == 0, result.Output);
        return Path.Combine(output, "Recipes.Tasks.dll");
    });

    private sealed record Run(int ExitCode, string Output);

    private static Run Dotnet(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        // A build started from inside a test run must not inherit the test host's MSBuild settings.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k == "MSBuildExtensionsPath").ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new Run(process.ExitCode, stdout.Result + stderr.Result);
    }

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

    private static Run Build(Workspace ws) => Dotnet(ws.Root, "build", "RecipeConsumer.csproj", "-c", "Release", "-nologo",
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
        var table = Path.Combine(ws.Root, "bin", "Release", "net10.0", "recipe-data", "shard-0000.csv");
        Assert.True(File.Exists(table), "the recipe's table should be copied next to the assembly through @(RecipeOutput)");
        Assert.Equal(4, File.ReadAllLines(table).Length);

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
