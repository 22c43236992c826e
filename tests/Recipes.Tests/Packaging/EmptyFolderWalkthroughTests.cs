using Recipes.Tests.Support;

namespace Recipes.Tests.Packaging;

/// <summary>
/// docs/install.md's "From an empty folder" walkthrough, step by step, in a folder outside the clone: the packages
/// from a local feed, <c>dotnet new console</c>, a local tool manifest, <c>&lt;Recipe Include&gt;</c>, and
/// <c>dotnet build</c> twice; then the two ways it goes wrong (no tool, a failing node) give one clear error each.
/// </summary>
[Trait("Category", "Slow")]
public sealed class EmptyFolderWalkthroughTests
{
    private const string Recipe = """
        recipe: walkthrough
        base_case: { dir: base/ }
        parameters:
          space:
            a: { choice: [1, 2, 3] }
        stages:
          simulate:
            solver: exec
            command: 'cat input.txt > out.txt && echo "{\"size\": $(wc -c < input.txt)}" > result.json'
            outputs: [out.txt, result.json]
          dataset: { format: csv }
        """;

    private const string Targets = """
          <ItemGroup>
            <Recipe Include="data/sweep.yaml" />
          </ItemGroup>
          <Target Name="ShipData" AfterTargets="CollectRecipeOutputs">
            <Copy SourceFiles="@(RecipeOutput)" DestinationFiles="@(RecipeOutput->'$(OutDir)data/%(RecipePath)')" SkipUnchangedFiles="true" />
          </Target>
        </Project>
        """;

    [Fact]
    public void FromAnEmptyFolderToARecipeBuiltByDotnetBuild()
    {
        var feed = PackedFeed.Folder;
        using var ws = new Workspace();
        // A clean packages folder and CLI home: nothing from an earlier install of the same version is reused.
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(ws.Root, "packages"),
            ["DOTNET_CLI_HOME"] = Path.Combine(ws.Root, "home"),
        };
        var app = Directory.CreateDirectory(Path.Combine(ws.Root, "myapp")).FullName;
        DotnetProcess.Result Dotnet(params string[] args) => DotnetProcess.Run(app, environment, args);
        void Step(params string[] args)
        {
            var result = Dotnet(args);
            Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', args)}:\n{result.Output}");
        }

        Step("new", "console");
        File.WriteAllText(Path.Combine(app, "nuget.config"), PackedFeed.NuGetConfig(feed));
        Step("new", "tool-manifest");
        Step("tool", "install", "Recipes.Tool", "--version", "0.1.0");
        Step("add", "package", "Recipes.Tasks", "--version", "0.1.0");
        ws.Write("myapp/data/base/input.txt.sbn", "a={{ a }}\n");
        ws.Write("myapp/data/sweep.yaml", Recipe);
        var project = Path.Combine(app, "myapp.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", Targets));

        var first = Dotnet("build");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("recipes: building", first.Output);
        var data = Path.Combine(app, "bin", "Debug", "net10.0", "data", "walkthrough");
        Assert.Equal(4, File.ReadAllLines(Path.Combine(data, "dataset", "shard-0000.csv")).Length);
        // Relative paths: the three samples' out.txt arrive as three files, not one overwritten twice.
        Assert.Equal(3, Directory.EnumerateFiles(data, "out.txt", SearchOption.AllDirectories).Count());

        var second = Dotnet("build");
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain("recipes: building", second.Output);

        // Without the tool: one actionable error, not MSB6006's bare exit code.
        // `dotnet new tool-manifest` writes dotnet-tools.json (.NET 10) or .config/dotnet-tools.json (earlier SDKs).
        var manifest = new[] { Path.Combine(app, "dotnet-tools.json"), Path.Combine(app, ".config", "dotnet-tools.json") }.First(File.Exists);
        File.Move(manifest, manifest + ".away");
        File.AppendAllText(Path.Combine(app, "data", "base", "input.txt.sbn"), "b\n");
        var noTool = Dotnet("build");
        Assert.NotEqual(0, noTool.ExitCode);
        Assert.Contains("error RCP0200: the recipes tool is not installed for this project", noTool.Output);
        Assert.Contains("dotnet tool install Recipes.Tool", noTool.Output);
        Assert.DoesNotContain("MSB6006", noTool.Output);
        File.Move(manifest + ".away", manifest);

        // A failing node: its name and its log's real cause in one MSBuild error, and no error made of log lines.
        ws.Write("myapp/data/sweep.yaml", Recipe.Replace("cat input.txt > out.txt", "awk -f projectil.awk input.txt > out.txt"));
        var failing = Dotnet("build");
        Assert.NotEqual(0, failing.ExitCode);
        var errors = failing.Stdout.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Contains("error RCP0100: node simulate/00000", e));
        Assert.All(errors, e => Assert.Contains("awk: cannot open projectil.awk", e));
        Assert.DoesNotContain("RECIPEBUILD", failing.Output);
    }
}
