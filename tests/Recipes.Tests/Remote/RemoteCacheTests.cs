using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Remote;

/// <summary>The HTTP remote cache against a real nginx with WebDAV PUT (Bazel's /ac/ and /cas/ layout).</summary>
[Trait("Category", "Slow")]
public sealed class RemoteCacheTests
{
    private static JsonNode Summary(Support.Cli.Result result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        return JsonNode.Parse(result.LastLine)!;
    }

    private static string Manifest(Workspace ws, string outDir) => File.ReadAllText(Path.Combine(ws.Root, outDir, "sweep", "manifest.json"));

    [NginxFact]
    public void ABuildUploadsAndAFreshCacheBuildsNothing()
    {
        using var nginx = new NginxServer();
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var first = Summary(Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "cache-a", "--out", "out-a", "--remote-cache", nginx.Url, "--json"));
        Assert.Equal(13, first["executed"]!.GetValue<int>());
        Assert.Equal(13, first["remote"]!["uploads"]!.GetValue<int>());
        Assert.Equal(13, nginx.StoredFiles("ac").Count());
        Assert.All(nginx.StoredFiles("cas"), f => Assert.Equal(64, Path.GetFileName(f).Length));

        var second = Summary(Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "cache-b", "--out", "out-b", "--remote-cache", nginx.Url, "--json"));
        Assert.Equal(0, second["executed"]!.GetValue<int>());
        Assert.Equal(13, second["remote"]!["hits"]!.GetValue<int>());
        Assert.True(second["remote"]!["bytes_down"]!.GetValue<long>() > 0);
        Assert.Equal(Manifest(ws, "out-a"), Manifest(ws, "out-b"));
    }

    [NginxFact]
    public void ACorruptedBlobOnTheServerIsDetectedAndRebuilt()
    {
        using var nginx = new NginxServer();
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Summary(Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "cache-a", "--out", "out-a", "--remote-cache", nginx.Url, "--json"));
        var victim = nginx.StoredFiles("cas").OrderBy(f => f, StringComparer.Ordinal).First(f => new FileInfo(f).Length > 0);
        File.WriteAllText(victim, "tampered on the server");

        var result = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "cache-c", "--out", "out-c", "--remote-cache", nginx.Url, "--json");
        var summary = Summary(result);
        Assert.True(summary["remote"]!["rejected"]!.GetValue<int>() >= 1);
        Assert.True(summary["executed"]!.GetValue<int>() >= 1);
        Assert.Contains("does not match its hash", result.Stderr);
        Assert.Equal(Manifest(ws, "out-a"), Manifest(ws, "out-c"));
    }

    [NginxFact]
    public void StoppingTheServerMidBuildStillEndsInACorrectLocalBuild()
    {
        using var nginx = new NginxServer();
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, space: "a: { int: [1, 12] }\n    b: { choice: [x] }",
            command: "sleep 0.3; cat input.txt > out.txt; echo \"{\\\"v\\\": 1}\" > result.json");
        using var build = Support.Cli.Start(ws.Root, null, "build", "recipe.yaml", "--jobs", "2", "--remote-cache", nginx.Url, "--json");
        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (nginx.StoredFiles("ac").Count() < 3 && clock.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(50);
        nginx.Stop();
        Assert.True(build.WaitForExit(TimeSpan.FromMinutes(2)));
        Assert.Equal(0, build.ExitCode);
        var summary = JsonNode.Parse(stdout.Result.Trim().Split('\n').Last())!;
        Assert.Equal(0, summary["failed"]!.GetValue<int>());
        Assert.Contains("continuing with the local cache only", stderr.Result);

        var again = Summary(Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--json"));
        Assert.Equal(0, again["executed"]!.GetValue<int>());
    }

    [NginxFact]
    public void ReadOnlyConsumersWriteNothing()
    {
        using var nginx = new NginxServer();
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var summary = Summary(Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--remote-cache", nginx.Url, "--remote-upload", "false", "--json"));
        Assert.Equal(13, summary["executed"]!.GetValue<int>());
        Assert.Empty(nginx.StoredFiles("ac"));
        Assert.Empty(nginx.StoredFiles("cas"));
    }

    [NginxFact]
    public void AServerAnswering503IsReportedOnceAndTheBuildGoesOn()
    {
        using var nginx = new NginxServer(NginxServer.Mode.Failing);
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var result = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--remote-cache", nginx.Url, "--json");
        var summary = Summary(result);
        Assert.Equal(13, summary["executed"]!.GetValue<int>());
        Assert.Contains("HTTP 503", summary["remote"]!["disabled"]!.GetValue<string>());
        Assert.Single(result.Stderr.Split('\n'), l => l.Contains("unusable", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnreachableServerIsReportedOnceAndTheBuildGoesOn()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var url = $"http://127.0.0.1:{NginxServer.FreePort()}/";
        var result = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--remote-cache", url, "--json");
        var summary = Summary(result);
        Assert.Equal(13, summary["executed"]!.GetValue<int>());
        Assert.Single(result.Stderr.Split('\n'), l => l.Contains("unusable", StringComparison.Ordinal));
    }

    [NginxFact]
    public void BearerTokensComeFromTheEnvironment()
    {
        using var nginx = new NginxServer(NginxServer.Mode.TokenRequired);
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var denied = Summary(Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "c1", "--remote-cache", nginx.Url, "--json"));
        Assert.Contains("401", denied["remote"]!["disabled"]!.GetValue<string>());

        var env = new Dictionary<string, string> { ["RECIPES_REMOTE_TOKEN"] = "s3cret", ["RECIPES_REMOTE_CACHE"] = nginx.Url };
        var allowed = Summary(Support.Cli.Run(ws.Root, env, "build", "recipe.yaml", "--cache", "c2", "--json"));
        Assert.Equal(13, allowed["remote"]!["uploads"]!.GetValue<int>());
        Assert.Null(allowed["remote"]!["disabled"]);
    }
}
