using System.Globalization;
using System.Text.Json.Nodes;
using Json.Schema;
using Recipes.Cli;
using Recipes.Diagnostics;
using Recipes.Recipe;
using Recipes.Schema;
using Recipes.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Recipes.Tests.Recipe;

/// <summary>
/// The JSON Schema that <c>recipes schema</c> prints, run through an off-the-shelf validator (JsonSchema.Net) as an
/// editor would, accepts and rejects exactly what <c>recipes validate</c> does: every shipped file, and a table of
/// typos users make.
/// </summary>
public sealed class JsonSchemaAgreementTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(new RecipeSchema(RecipeSession.Registry).ToJsonSchema().ToJsonString());

    private const string Base = """
        recipe: typo-table
        seed: 3
        parameters:
          samples: 4
          sampler: sobol
          space:
            sources: { int: [1, 3] }
        stages:
          simulate: { solver: heat2d, radius: 0.1 }
          augment: { dihedral: 8 }
          dataset: { format: npy, shard: 2 }
        execution: { jobs: 2 }
        """;

    public static TheoryData<string> ShippedFiles()
    {
        var root = Path.Combine(Cli.MalformedRecipeTests.RepoRoot(), "recipes");
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void EveryShippedFileIsValidForBoth(string relative)
    {
        var path = Path.Combine(Cli.MalformedRecipeTests.RepoRoot(), "recipes", relative);
        // Fragments (no recipe: key) are checked as fragments by validate, and by the same schema in an editor.
        new RecipeLoader(RecipeSession.Registry).Load(path, [], allowFragment: true);
        var result = Evaluate(File.ReadAllText(path));
        Assert.True(result.IsValid, $"{relative}: {Errors(result)}");
    }

    [Fact]
    public void TheBaseOfTheTypoTableIsValidForBoth()
    {
        using var ws = new Workspace();
        Assert.NotNull(new RecipeLoader(RecipeSession.Registry).Load(ws.Write("recipe.yaml", Base), [], allowFragment: true));
        Assert.True(Evaluate(Base).IsValid, Errors(Evaluate(Base)));
    }

    [Theory]
    [InlineData("simulate: { solver: heat2d, radius: 0.1 }", "simulate: { solver: heat2d, raduis: 0.1 }")]
    [InlineData("simulate: { solver: heat2d, radius: 0.1 }", "simulate: { solver: heat3d, radius: 0.1 }")]
    [InlineData("simulate: { solver: heat2d, radius: 0.1 }", "simulate: { solver: heat2d, radius: 0.1, particles: 100 }")]
    [InlineData("simulate: { solver: heat2d, radius: 0.1 }", "simulate: { solver: heat2d, radius: -0.1 }")]
    [InlineData("simulate: { solver: heat2d, radius: 0.1 }", "simulate: { solver: heat2d, radius: wide }")]
    [InlineData("simulate: { solver: heat2d, radius: 0.1 }", "simulate: { solver: heat2d, radius: 0.1, threads: 0 }")]
    [InlineData("simulate: { solver: heat2d, radius: 0.1 }", "simulate: { solver: heat2d, radius: 0.1, device: gpu }")]
    [InlineData("simulate: { solver: heat2d, radius: 0.1 }", "simulat: { solver: heat2d, radius: 0.1 }")]
    [InlineData("simulate: { solver: heat2d, radius: 0.1 }", "simulate: { radius: 0.1 }")]
    [InlineData("simulate: { solver: heat2d, radius: 0.1 }", "simulate: { solver: exec, outputs: [a.txt] }")]
    [InlineData("augment: { dihedral: 8 }", "augment: { dihedral: 8, fles: [a.npy] }")]
    [InlineData("augment: { dihedral: 8 }", "augment: { augmenter: dihedral, dihedral: eight }")]
    [InlineData("dataset: { format: npy, shard: 2 }", "dataset: { format: npy, shard: 0 }")]
    [InlineData("dataset: { format: npy, shard: 2 }", "dataset: { format: npz, shard: 2 }")]
    [InlineData("dataset: { format: npy, shard: 2 }", "dataset: { format: npy, shard: 2, splits: { train: 1 } }")]
    [InlineData("  sampler: sobol", "  sampler: sobel")]
    [InlineData("  sampler: sobol", "  samplr: sobol")]
    [InlineData("  samples: 4", "  samples: 0")]
    [InlineData("  samples: 4", "  samples: many")]
    [InlineData("    sources: { int: [1, 3] }", "    sources: { int: [1] }")]
    [InlineData("    sources: { int: [1, 3] }", "    sources: { int: [1, 3], choice: [2] }")]
    [InlineData("    sources: { int: [1, 3] }", "    sources: { integer: [1, 3] }")]
    [InlineData("seed: 3", "seed: -3")]
    [InlineData("seed: 3", "sed: 3")]
    [InlineData("recipe: typo-table", "recipe: Typo Table")]
    [InlineData("execution: { jobs: 2 }", "execution: { jobs: 2, executor: kubernetes }")]
    [InlineData("execution: { jobs: 2 }", "execution: { jobs: 2, device: gpu }")]
    [InlineData("execution: { jobs: 2 }", "execution: { jobs: 2, slurm: { partiton: cpu } }")]
    public void ATypoIsRejectedByBoth(string line, string typo)
    {
        Assert.Contains(line, Base);
        var text = Base.Replace(line, typo, StringComparison.Ordinal);
        using var ws = new Workspace();
        var path = ws.Write("recipe.yaml", text);

        var rejected = Assert.Throws<RecipeException>(() => new RecipeLoader(RecipeSession.Registry).Load(path, [], allowFragment: true));
        Assert.NotEmpty(rejected.Diagnostics);
        var result = Evaluate(text);
        Assert.False(result.IsValid, $"the JSON Schema accepts what validate rejects ({rejected.Diagnostics[0].Message}):\n{text}");
    }

    [Theory]
    [InlineData("stages:\n  simulate: { radius: 0.2 }\n", true)]
    [InlineData("stages:\n  simulate: { raduis: 0.2 }\n", false)]
    [InlineData("stages:\n  dataset: { shard: 1 }\n", true)]
    [InlineData("stages:\n  dataset: { shrad: 1 }\n", false)]
    public void AFileThatIncludesAnotherMayRefineItsStagesWithoutNamingThem(string overlay, bool valid)
    {
        using var ws = new Workspace();
        ws.Write("base.yaml", Base);
        var text = "include: base.yaml\nrecipe: refined\n" + overlay;
        var path = ws.Write("recipe.yaml", text);
        var loader = new RecipeLoader(RecipeSession.Registry);

        if (valid) Assert.NotNull(loader.Load(path, [], allowFragment: true));
        else Assert.Throws<RecipeException>(() => loader.Load(path, [], allowFragment: true));
        Assert.Equal(valid, Evaluate(text).IsValid);
    }

    private static EvaluationResults Evaluate(string yaml) =>
        Schema.Evaluate(YamlToJson(yaml), new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Errors(EvaluationResults result) =>
        string.Join("; ", result.Details.Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(8));

    /// <summary>
    /// YAML to JSON as editors' YAML language servers read it (YAML 1.2 core schema: plain scalars that look like
    /// null, booleans, integers or floats are those; everything else, and every quoted scalar, is a string).
    /// </summary>
    private static JsonNode? YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(stream.Documents[0].RootNode);

        static JsonNode? Convert(YamlNode node) => node switch
        {
            YamlMappingNode map => new JsonObject(map.Children.Select(c => new KeyValuePair<string, JsonNode?>(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
            YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
            YamlScalarNode scalar => Scalar(scalar),
            _ => null,
        };

        static JsonNode? Scalar(YamlScalarNode scalar)
        {
            var text = scalar.Value ?? "";
            if (scalar.Style is not YamlDotNet.Core.ScalarStyle.Plain) return JsonValue.Create(text);
            if (text is "" or "~" or "null" or "Null" or "NULL") return null;
            if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
            if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
            if (System.Text.RegularExpressions.Regex.IsMatch(text, "^[-+]?[0-9]+$") && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                return JsonValue.Create(integer);
            if (System.Text.RegularExpressions.Regex.IsMatch(text, @"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"))
                return JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
            return JsonValue.Create(text);
        }
    }
}
