using System.Text.Json.Nodes;
using Recipes.Schema;
using Recipes.Cli;
using Recipes.Registry;

namespace Recipes.Tests.Recipe;

/// <summary>docs/recipe-reference.md documents every key the language accepts, so the two cannot drift apart.</summary>
public sealed class ReferenceDocsTests
{
    [Fact]
    public void EveryKeyOfTheSchemaIsDocumented()
    {
        var docs = File.ReadAllText(Path.Combine(Cli.MalformedRecipeTests.RepoRoot(), "docs", "recipe-reference.md"));
        var registry = BuiltinPlugins.Create();
        var schema = new RecipeSchema(registry).ToJsonSchema();
        var missing = Keys(schema).Distinct().Where(k => !docs.Contains($"`{k}", StringComparison.Ordinal) && !docs.Contains($".{k}`", StringComparison.Ordinal)).ToList();
        foreach (var plugin in registry.All)
        {
            if (!docs.Contains($"`{plugin.Name}`", StringComparison.Ordinal) && !docs.Contains($": {plugin.Name}", StringComparison.Ordinal))
                missing.Add("plugin " + plugin.Name);
            missing.AddRange(plugin.Options.Where(o => !docs.Contains($"`{o.Name}`", StringComparison.Ordinal)).Select(o => $"{plugin.Name}.{o.Name}"));
        }
        Assert.True(missing.Count == 0, "undocumented: " + string.Join(", ", missing));
    }

    private static IEnumerable<string> Keys(JsonNode? node)
    {
        if (node is not JsonObject obj) yield break;
        if (obj["properties"] is JsonObject properties)
            foreach (var (name, child) in properties)
            {
                yield return name;
                foreach (var inner in Keys(child)) yield return inner;
            }
        foreach (var key in new[] { "additionalProperties", "items" })
            foreach (var inner in Keys(obj[key])) yield return inner;
        if (obj["anyOf"] is JsonArray any)
            foreach (var option in any)
                foreach (var inner in Keys(option)) yield return inner;
    }
}
