using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Cli;

/// <summary>The CLI contract: the --json summary as the last stdout line, exit codes, defaults for cache and out.</summary>
public sealed class CliContractTests
{
    [Fact]
    public void BuildJsonSummaryAndExitCodes()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var first = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--json");
        Assert.Equal(0, first.ExitCode);
        var summary = JsonNode.Parse(first.LastLine)!;
        Assert.Equal(13, summary["nodes"]!.GetValue<int>());
        Assert.Equal(13, summary["executed"]!.GetValue<int>());
        Assert.Equal(0, summary["cached"]!.GetValue<int>());
        Assert.Equal(0, summary["failed"]!.GetValue<int>());
        Assert.True(summary["seconds"]!.GetValue<double>() >= 0);
        Assert.True(Directory.Exists(Path.Combine(ws.Root, ".recipes", "cas")), "default cache is .recipes/");
        Assert.True(File.Exists(Path.Combine(ws.Root, "out", "sweep", "manifest.json")), "default output is out/<recipe>/");

        var second = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--json");
        Assert.Equal(0, second.ExitCode);
        var again = JsonNode.Parse(second.LastLine)!;
        Assert.Equal(0, again["executed"]!.GetValue<int>());
        Assert.Equal(13, again["cached"]!.GetValue<int>());
    }

    [Fact]
    public void AFailingNodeExitsWithOneAndPrintsItsLogTail()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, command: "echo simulator exploded at step 7 >&2; exit 4");
        var result = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--json", "--keep-going");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(6, JsonNode.Parse(result.LastLine)!["failed"]!.GetValue<int>());
        Assert.Contains("simulator exploded at step 7", result.Stderr);
        Assert.Contains("exited with code 4", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void CacheAndOutCanBeRedirected()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var env = new Dictionary<string, string> { ["RECIPES_CACHE"] = Path.Combine(ws.Root, "shared-cache") };
        var result = Support.Cli.Run(ws.Root, env, "build", "recipe.yaml", "--out", "elsewhere", "--json");
        Assert.Equal(0, result.ExitCode);
        Assert.NotEmpty(StoredEntries.Keys(Path.Combine(ws.Root, "shared-cache")));
        Assert.False(Directory.Exists(Path.Combine(ws.Root, ".recipes")));
        Assert.True(File.Exists(Path.Combine(ws.Root, "elsewhere", "sweep", "manifest.json")));

        var explicitCache = Support.Cli.Run(ws.Root, env, "build", "recipe.yaml", "--cache", "other", "--json");
        Assert.Equal(13, JsonNode.Parse(explicitCache.LastLine)!["executed"]!.GetValue<int>());
    }

    [Fact]
    public void UsageErrorsExitWithTwo()
    {
        using var ws = new Workspace();
        Assert.Equal(2, Support.Cli.Run(ws.Root, "build").ExitCode);
        Assert.Equal(2, Support.Cli.Run(ws.Root, "build", "missing.yaml").ExitCode);
        Assert.Equal(2, Support.Cli.Run(ws.Root, "graph", "x.yaml", "--format", "png").ExitCode);
    }

    [Fact]
    public void JsonLogFormatStreamsOneEventPerNode()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var first = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--log-format", "json");
        var events = first.Stdout.Trim().Split('\n').Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(13, events.Count(e => e["event"]?.GetValue<string>() == "finished"));
        Assert.Equal(13, events.Count(e => e["event"]?.GetValue<string>() == "started"));
        Assert.Equal(13, events.Count(e => e["event"]?.GetValue<string>() == "queued"));
        Assert.Equal(13, events.Last()["nodes"]!.GetValue<int>());

        var second = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--log-format", "json");
        var cached = second.Stdout.Trim().Split('\n').Select(l => JsonNode.Parse(l)!).Count(e => e["event"]?.GetValue<string>() == "cached");
        Assert.Equal(13, cached);
    }

    [Fact]
    public void VersionIsPrinted()
    {
        var result = Support.Cli.Run(Path.GetTempPath(), "--version");
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout.Trim());
    }
}
