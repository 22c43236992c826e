using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Cli;

/// <summary>The cache, out/ and .recipes.json belong to the recipe's project, not to the folder a command runs in.</summary>
public sealed class ProjectDiscoveryTests
{
    [Fact]
    public void ABuildFromAnotherFolderReusesTheProjectCache()
    {
        using var ws = new Workspace();
        Directory.CreateDirectory(ws.Path_(".git"));
        SampleRecipes.Sweep(ws);
        var docs = Directory.CreateDirectory(ws.Path_("docs")).FullName;

        var first = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--json");
        Assert.Equal(0, first.ExitCode);
        var second = Support.Cli.Run(docs, "build", "../recipe.yaml", "--json");
        Assert.Equal(0, second.ExitCode);

        var summary = JsonNode.Parse(second.LastLine)!;
        Assert.Equal(0, summary["executed"]!.GetValue<int>());
        Assert.False(Directory.Exists(Path.Combine(docs, ".recipes")), "a build from docs/ must not start a second cache there");
        Assert.False(Directory.Exists(Path.Combine(docs, "out")));
        Assert.True(Directory.Exists(ws.Path_("out/sweep")), "outputs go to the project's out/");

        var status = Support.Cli.Run(docs, "status", "../recipe.yaml");
        Assert.Contains($"project: {ws.Root} (holds .recipes/)", status.Stdout);
        Assert.Contains("up to date", status.Stdout);
    }

    [Fact]
    public void TheProjectConfigIsReadFromTheProjectRoot()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Write(".recipes.json", "{\"remote_cache\": {\"url\": \"ftp://not-http/\"}}");
        var elsewhere = Directory.CreateDirectory(ws.Path_("elsewhere")).FullName;
        // The project's .recipes.json is found from the recipe even when the command runs in another folder.
        var result = Support.Cli.Run(elsewhere, "build", Path.Combine(ws.Root, "recipe.yaml"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("'ftp://not-http/' is not an http(s) URL", result.Stderr);
    }
}
