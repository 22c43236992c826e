using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Cli;

/// <summary><c>status</c> names the reason down to the value, line or file; <c>graph</c> stays readable at scale.</summary>
public sealed class StatusAndGraphTests
{
    private static JsonArray Stale(Workspace ws, params string[] extra)
    {
        var result = Support.Cli.Run(ws.Root, ["status", "recipe.yaml", "--json", .. extra]);
        Assert.Equal(0, result.ExitCode);
        return JsonNode.Parse(result.LastLine)!["stale_nodes"]!.AsArray();
    }

    private static IEnumerable<string> Reasons(JsonArray stale, string node) =>
        stale.First(s => s!["node"]!.GetValue<string>() == node)!["reasons"]!.AsArray().Select(r => r!.GetValue<string>());

    [Fact]
    public void StatusExplainsEachKindOfChange()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var before = Stale(ws);
        Assert.Equal(13, before.Count);
        Assert.Contains("new sample", Reasons(before, "render/000000"));
        Assert.Contains("never built", Reasons(before, "dataset/shard-0000"));

        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
        Assert.Empty(Stale(ws));

        // A parameter value: samples are known by their values, so a=7 is a new sample (the a=1 ones left the space).
        var changed = Stale(ws, "--set", "parameters.space.a.choice.0=7");
        Assert.Equal(["new sample"], Reasons(changed, "render/000000"));
        Assert.Contains(Reasons(changed, "simulate/000000"), r => r.StartsWith("upstream render/000000 will run", StringComparison.Ordinal));

        // A template line.
        ws.Write("base/input.txt.sbn", "a={{ a }} b={{ b }} c\n");
        var edited = Stale(ws);
        Assert.Contains(Reasons(edited, "render/000001"), r => r.Contains("input.txt.sbn changed at line 1") && r.Contains("c\""));
        ws.Write("base/input.txt.sbn", "a={{ a }} b={{ b }}\n");

        // A setting read only by a later stage.
        var setting = Stale(ws, "--set", "stages.dataset.result=other.json");
        Assert.Single(setting);
        Assert.Contains("setting result changed (\"result.json\" -> \"other.json\")", Reasons(setting, "dataset/shard-0000"));

        // Growing the sweep: only new samples, named as such.
        var grown = Stale(ws, "--set", "parameters.space.b.choice.1=w");
        Assert.Equal(["new sample"], Reasons(grown, "render/000001"));
        Assert.DoesNotContain(grown, s => s!["node"]!.GetValue<string>() == "render/000000");
    }

    [Fact]
    public void StatusReportsFailuresAndLatinHypercubeRedraws()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, command: "exit 9");
        Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--keep-going");
        var stale = Stale(ws);
        Assert.Contains(Reasons(stale, "simulate/000000"), r => r.StartsWith("failed last build: command exited with code 9", StringComparison.Ordinal));

        SampleRecipes.Sweep(ws, space: "a: { uniform: [0, 1] }\n    b: { choice: [x] }", sampler: "latin-hypercube", samples: 4);
        var text = Support.Cli.Run(ws.Root, "status", "recipe.yaml");
        Assert.Contains("latin-hypercube is not prefix-stable", text.Stdout);
    }

    [Theory]
    [InlineData("mermaid", "flowchart LR", "simulate x6 (exec)")]
    [InlineData("dot", "digraph", "\"render\" -> \"simulate\"")]
    [InlineData("json", "\"stages\"", "\"edges\"")]
    public void GraphCollapsesPerSampleFanOut(string format, string header, string fragment)
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var result = Support.Cli.Run(ws.Root, "graph", "recipe.yaml", "--format", format);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(header, result.Stdout);
        Assert.Contains(fragment, result.Stdout);
        Assert.DoesNotContain("000003", result.Stdout);
        var expanded = Support.Cli.Run(ws.Root, "graph", "recipe.yaml", "--format", format, "--expand");
        Assert.Contains("000003", expanded.Stdout);
    }

    [Fact]
    public void SchemaDescribesTheRecipeLanguage()
    {
        var result = Support.Cli.Run(Path.GetTempPath(), "schema");
        Assert.Equal(0, result.ExitCode);
        var schema = JsonNode.Parse(result.Stdout)!;
        var properties = schema["properties"]!.AsObject();
        foreach (var key in new[] { "recipe", "seed", "base_case", "parameters", "stages", "include" })
            Assert.True(properties.ContainsKey(key), key);
        var stages = properties["stages"]!["properties"]!.AsObject();
        foreach (var stage in new[] { "render", "simulate", "augment", "dataset", "train", "evaluate" })
            Assert.True(stages.ContainsKey(stage), stage);
        var samplers = properties["parameters"]!["properties"]!["sampler"]!["enum"]!.AsArray().Select(s => s!.GetValue<string>());
        Assert.Equal(["grid", "random", "sobol", "latin-hypercube", "adaptive"], samplers);
        Assert.Contains("exec", stages["simulate"]!["properties"]!["solver"]!["enum"]!.AsArray().Select(s => s!.GetValue<string>()));
    }
}
