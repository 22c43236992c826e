using System.Text.RegularExpressions;
using Recipes.Recipe;
using Recipes.Cli;
using Recipes.Registry;

namespace Recipes.Tests.Recipe;

/// <summary>Every recipe shipped under recipes/ loads and plans, including those too large to build in the suite.</summary>
public sealed partial class ExampleRecipesTests
{
    [GeneratedRegex("^recipe:", RegexOptions.Multiline)]
    private static partial Regex NamedRecipe();

    public static TheoryData<string> Shipped()
    {
        var root = Path.Combine(Cli.MalformedRecipeTests.RepoRoot(), "recipes");
        // Files without a top-level name are fragments other recipes include (smoke.yaml, ci-data.yaml, common.yaml).
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            if (NamedRecipe().IsMatch(File.ReadAllText(file))) data.Add(Path.GetRelativePath(root, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void LoadsAndPlans(string relative)
    {
        var path = Path.Combine(Cli.MalformedRecipeTests.RepoRoot(), "recipes", relative);
        var definition = new RecipeLoader(BuiltinPlugins.Create()).Load(path);
        var graph = global::Recipes.Graph.GraphPlanner.Plan(definition);
        Assert.NotEmpty(definition.Samples);
        Assert.True(graph.Nodes.Count >= definition.Samples.Count, $"{relative}: {graph.Nodes.Count} nodes for {definition.Samples.Count} samples");
    }
}
