using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Tests.Support;

namespace Recipes.Tests.Cache;

/// <summary><c>cache verify</c> finds and repairs corruption; <c>cache gc</c> keeps what recipes reference and trims the rest.</summary>
public sealed class CacheMaintenanceTests
{
    [Fact]
    public void VerifyFindsACorruptBlobAndRepairRemovesIt()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Build();
        var cache = new CacheStore(ws.CacheDir);
        var victim = cache.Blobs.EnumerateHashes().First();
        var path = cache.Blobs.PathOf(victim);
        File.SetAttributes(path, FileAttributes.Normal);
        File.AppendAllText(path, "bit rot");

        var report = Support.Cli.Run(ws.Root, "cache", "verify", "--json");
        Assert.Equal(1, report.ExitCode);
        var json = JsonNode.Parse(report.LastLine)!;
        Assert.Contains(victim, json["corrupt_blobs"]!.AsArray().Select(b => b!.GetValue<string>()));
        Assert.NotEmpty(json["incomplete_entries"]!.AsArray());

        var repaired = Support.Cli.Run(ws.Root, "cache", "verify", "--repair");
        Assert.Equal(0, repaired.ExitCode);
        Assert.False(File.Exists(path));
        Assert.True(JsonNode.Parse(Support.Cli.Run(ws.Root, "cache", "verify", "--json").LastLine)!["clean"]!.GetValue<bool>());

        // The next build recomputes exactly what was removed, and the results are whole again.
        var rebuilt = ws.Build();
        Assert.True(rebuilt.Summary.Executed >= 1);
        BuildAssert.NoFailures(rebuilt);
        Assert.True(CacheVerifier.Verify(cache, repair: false).Clean);
    }

    [Fact]
    public void AnInputBlobCorruptedBehindTheCachesBackFailsItsConsumerClearly()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var first = ws.Build();
        var render = first.Graph.Nodes.First(n => n.StageName == "render");
        var blob = new CacheStore(ws.CacheDir).Blobs.PathOf(first.States.Outputs[render.Index]![0].Hash);
        File.SetAttributes(blob, FileAttributes.Normal);
        File.WriteAllText(blob, "tampered");
        // Force the consumer to run: change its command.
        SampleRecipes.Sweep(ws, command: "cat input.txt > out.txt; echo \"{\\\"value\\\": 2}\" > result.json");
        var result = ws.Build();
        Assert.True(result.Summary.Failed >= 1);
        Assert.Contains(result.States.Messages, m => m?.Contains("missing or corrupt", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void GcKeepsWhatTheRecipeReferencesAndRemovesTheRest()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Build();
        SampleRecipes.Sweep(ws, space: "a: { choice: [1] }\n    b: { choice: [x, y] }");
        ws.Build();

        var gc = Support.Cli.Run(ws.Root, "cache", "gc", "recipe.yaml", "--grace", "0");
        Assert.Equal(0, gc.ExitCode);
        Assert.Matches(@"removed [1-9]\d* entries", gc.Stdout);

        var again = ws.Build();
        Assert.Equal(0, again.Summary.Executed);
        Assert.True(CacheVerifier.Verify(new CacheStore(ws.CacheDir), repair: false).Clean);

        // The samples a=2, a=3 were collected: bringing them back recomputes them.
        SampleRecipes.Sweep(ws);
        Assert.Equal(4, Workspace.Executed(ws.Build(), "simulate"));
    }

    /// <summary>Builds "other" three days ago and "sweep" now; they share the render results.</summary>
    private static (CacheStore Cache, HashSet<string> OnlyOld, HashSet<string> Recent) TwoGenerations(Workspace ws)
    {
        var cache = new CacheStore(ws.CacheDir);
        SampleRecipes.Sweep(ws, space: "a: { choice: [1, 2] }\n    b: { choice: [x] }");
        ws.Write("other.yaml", File.ReadAllText(ws.Path_("recipe.yaml")).Replace("recipe: sweep", "recipe: other").Replace("cat input.txt", "cat input.txt input.txt"));
        var old = ws.Build("other.yaml");
        foreach (var file in Directory.EnumerateFiles(ws.CacheDir, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-3));
        ActionPacks.Backdate(Path.Combine(ws.CacheDir, "packs"), TimeSpan.FromDays(3));
        var recent = ws.Build("recipe.yaml");
        var recentKeys = Enumerable.Range(0, recent.States.Status.Length).Select(recent.States.HashOf).OfType<string>().ToHashSet();
        var onlyOld = Enumerable.Range(0, old.States.Status.Length).Select(old.States.HashOf).OfType<string>().Where(k => !recentKeys.Contains(k)).ToHashSet();
        Assert.NotEmpty(onlyOld);
        Assert.True(recentKeys.Count > onlyOld.Count - 10);
        return (cache, onlyOld, recentKeys);
    }

    [Fact]
    public void GcByAgeDropsWhatWasNotUsedRecently()
    {
        using var ws = new Workspace();
        var (cache, onlyOld, recent) = TwoGenerations(ws);
        var report = CacheCollector.Collect(cache, null, new HashSet<string>(), TimeSpan.FromDays(1), null, TimeSpan.Zero, DateTime.UtcNow);
        var left = cache.Actions.EnumerateKeys().ToHashSet();
        Assert.Equal(onlyOld.Count, report.EntriesDeleted);
        Assert.Empty(left.Intersect(onlyOld));
        Assert.Superset(recent, left);
        Assert.Subset(left, recent);
        Assert.True(CacheVerifier.Verify(cache, repair: false).Clean);
    }

    [Fact]
    public void GcBySizeDropsLeastRecentlyUsedFirst()
    {
        using var ws = new Workspace();
        var (cache, onlyOld, recent) = TwoGenerations(ws);
        var recentBytes = recent.Sum(k => cache.Actions.TryGet(k)!.Outputs.Sum(o => o.Size));
        var report = CacheCollector.Collect(cache, null, new HashSet<string>(), null, recentBytes, TimeSpan.Zero, DateTime.UtcNow);
        var left = cache.Actions.EnumerateKeys().ToHashSet();
        Assert.Equal(onlyOld.Count, report.EntriesDeleted);
        Assert.Equal(recent.Count, left.Count);
        Assert.True(CacheVerifier.Verify(cache, repair: false).Clean);
    }

    [Theory]
    [InlineData("500MB", 500L << 20)]
    [InlineData("2GB", 2L << 30)]
    [InlineData("1.5k", 1536)]
    public void SizesParse(string text, long bytes) => Assert.Equal(bytes, Recipes.Cli.CacheCommand.ParseSize(text));

    [Fact]
    public void GcNeedsSomethingToGoBy()
    {
        using var ws = new Workspace();
        Assert.Equal(2, Support.Cli.Run(ws.Root, "cache", "gc").ExitCode);
        Assert.Equal(2, Support.Cli.Run(ws.Root, "cache", "gc", "--max-size", "lots").ExitCode);
    }
}
