using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Documents;
using Recipes.Hashing;
using Recipes.Engine.Tests.Support;

namespace Recipes.Engine.Tests.Documents;

public sealed class DocumentTests
{
    [Fact]
    public void NodesKeepTheirLineAndColumn()
    {
        var bag = new DiagnosticBag();
        var root = (DocMapping)YamlDocumentReader.Read("recipe: x\nstages:\n  simulate: { solver: exec }\n", "r.yaml", bag)!;
        Assert.False(bag.HasErrors);
        var stages = (DocMapping)root["stages"]!;
        var simulate = (DocMapping)stages["simulate"]!;
        Assert.Equal(new SourceLocation("r.yaml", 3, 3), stages.Entry("simulate")!.Key.Location);
        Assert.Equal(new SourceLocation("r.yaml", 3, 23), simulate["solver"]!.Location);
    }

    [Theory]
    [InlineData("42", "integer")]
    [InlineData("4.5e-3", "number")]
    [InlineData("true", "boolean")]
    [InlineData("'42'", "string")]
    [InlineData("sor", "string")]
    public void ScalarsAreTypedByTheCoreSchema(string text, string kind)
    {
        var bag = new DiagnosticBag();
        var root = (DocMapping)YamlDocumentReader.Read($"v: {text}\n", "r.yaml", bag)!;
        Assert.Equal(kind, root["v"]!.KindName);
    }

    [Fact]
    public void IncludesMergeDeeplyAndTheIncludingFileWins()
    {
        using var ws = new TempDirectory();
        ws.Write("common.yaml", "seed: 1\nparameters:\n  samples: 5\n  sampler: random\n");
        var path = ws.Write("recipe.yaml", "include: common.yaml\nrecipe: x\nparameters:\n  samples: 9\n");
        var bag = new DiagnosticBag();
        var doc = RecipeDocumentLoader.Load(path, [], bag)!;
        Assert.False(bag.HasErrors);
        var parameters = (DocMapping)doc.Root["parameters"]!;
        Assert.Equal("9", ((DocScalar)parameters["samples"]!).Text);
        Assert.Equal("random", ((DocScalar)parameters["sampler"]!).Text);
        Assert.Equal("1", ((DocScalar)doc.Root["seed"]!).Text);
        Assert.Equal(2, doc.SourceFiles.Count);
        Assert.EndsWith("common.yaml", ((DocScalar)parameters["sampler"]!).Location.File);
    }

    [Fact]
    public void SetOverridesNestedScalarsAndListItems()
    {
        var bag = new DiagnosticBag();
        var root = (DocMapping)YamlDocumentReader.Read("a:\n  b: [1, 2]\n", "r.yaml", bag)!;
        RecipeDocumentLoader.ApplySet(root, "a.b.1=7", 1, bag);
        RecipeDocumentLoader.ApplySet(root, "a.c.d=x", 2, bag);
        Assert.False(bag.HasErrors);
        Assert.Equal("7", ((DocScalar)((DocSequence)((DocMapping)root["a"]!)["b"]!).Items[1]).Text);
        Assert.Equal("x", ((DocScalar)((DocMapping)((DocMapping)root["a"]!)["c"]!)["d"]!).Text);
        RecipeDocumentLoader.ApplySet(root, "a.b.5=1", 3, bag);
        RecipeDocumentLoader.ApplySet(root, "novalue", 4, bag);
        Assert.Equal(2, bag.Errors.Count());
    }

    [Fact]
    public void CanonicalJsonIgnoresKeyOrderAndNumberSpelling()
    {
        var a = JsonNode.Parse("{\"b\": 5.0, \"a\": [1, \"x\"]}");
        var b = new JsonObject { ["a"] = new JsonArray(1, "x"), ["b"] = 5 };
        Assert.Equal(CanonicalJson.Serialize(a), CanonicalJson.Serialize(b));
        Assert.Equal("{\"a\":[1,\"x\"],\"b\":5}", CanonicalJson.Serialize(b));
        Assert.Equal("0.1", CanonicalJson.Number(0.1));
    }

    [Theory]
    [InlineData("smaples", "samples")]
    [InlineData("paramters", "parameters")]
    [InlineData("xyzzy", null)]
    public void SuggestionsFindCloseNames(string typo, string? expected) =>
        Assert.Equal(expected, Suggestions.Closest(typo, ["samples", "sampler", "parameters", "space"]));
}
