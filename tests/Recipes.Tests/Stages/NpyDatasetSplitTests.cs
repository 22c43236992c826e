using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Stages.Datasets;

namespace Recipes.Tests.Stages;

/// <summary>The npy dataset shares the never-empty split rule when one node sees every sample, and keeps the plain hash per shard.</summary>
public sealed class NpyDatasetSplitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("npy-split-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly (string, double)[] Halves = [("train", 0.5), ("test", 0.5)];

    /// <summary>The first two ids, in order, that the plain hash sends to the same split.</summary>
    private static string[] SameSplitPair()
    {
        var ids = Enumerable.Range(0, 64).Select(k => $"{k:D6}").ToList();
        foreach (var a in ids)
            foreach (var b in ids.Where(b => string.CompareOrdinal(b, a) > 0))
                if (SplitAssignment.Assign(a, Halves, 0) == SplitAssignment.Assign(b, Halves, 0))
                    return [a, b];
        throw new InvalidOperationException("no two ids share a split");
    }

    private UpstreamArtifacts Sample(string id)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, id)).FullName;
        foreach (var name in new[] { "input.npy", "steady.npy" })
            NpyFile.Write(Path.Combine(folder, name), new NpyArray([2, 2], [1, 2, 3, 4]));
        return new UpstreamArtifacts($"simulate/{id}", StageNames.Simulate, 0, id, ValueMap.Empty,
            [new Artifact("input.npy", Path.Combine(folder, "input.npy"), "a"), new Artifact("steady.npy", Path.Combine(folder, "steady.npy"), "b")]);
    }

    private Dictionary<string, string> Run(JsonObject settings)
    {
        var output = Directory.CreateDirectory(Path.Combine(_root, "out", Guid.NewGuid().ToString("N"))).FullName;
        var values = new ValueMap(settings.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone())));
        new NpyDatasetStage().RunAsync(new PluginContext
        {
            NodeId = "dataset/shard-0",
            Stage = StageNames.Dataset,
            Settings = values,
            Parameters = ValueMap.Empty,
            Seed = 1,
            Upstream = SameSplitPair().Select(Sample).ToList(),
            WorkDirectory = _root,
            OutputDirectory = output,
            Log = TextWriter.Null,
            Metrics = new Dictionary<string, JsonNode?>(),
            Threads = 1,
            Device = DeviceKind.Cpu,
        }, CancellationToken.None).GetAwaiter().GetResult();
        return JsonNode.Parse(File.ReadAllText(Path.Combine(output, "shard-0.json")))!["samples"]!.AsArray()
            .ToDictionary(s => s!["id"]!.GetValue<string>(), s => s!["split"]!.GetValue<string>());
    }

    private static JsonObject Settings() => new() { ["split"] = new JsonObject { ["train"] = 0.5, ["test"] = 0.5 } };

    [Fact]
    public void UnshardedEveryRequestedSplitGetsASample()
    {
        var splits = Run(Settings());
        Assert.Equal(["test", "train"], splits.Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ShardedEachSampleKeepsItsHashSplit()
    {
        var settings = Settings();
        settings["shard"] = 2;
        var splits = Run(settings);
        Assert.All(splits, s => Assert.Equal(SplitAssignment.Assign(s.Key, Halves, 0), s.Value));
        Assert.Single(splits.Values.Distinct());
    }

    [Fact]
    public void UnshardedTooFewSamplesFailWithOneClearLine()
    {
        var settings = new JsonObject { ["split"] = new JsonObject { ["train"] = 0.4, ["valid"] = 0.3, ["test"] = 0.3 } };
        var error = Assert.Throws<PluginException>(() => Run(settings));
        Assert.Equal("3 splits requested but only 2 samples; add samples or drop a split", error.Message);
    }
}
