using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Hashing;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Cli;
using Recipes.Registry;
using Recipes.Tests.Support;

namespace Recipes.Tests.Workflows;

/// <summary>
/// Reference workflow 2 at CI size (recipes/heat-diffusion/ci.yaml: 12 simulations of 16², ×8, a depth-2 surrogate for
/// 2 epochs): the whole pipeline, its incremental behaviour, determinism, and online training.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Category", "Training")]
public sealed class HeatDiffusionTests
{
    private const string Recipe = "ci.yaml";

    private static Workspace HeatWorkspace()
    {
        var ws = new Workspace();
        ws.CopyRecipe("heat-diffusion");
        return ws;
    }

    private static string Out(Workspace ws, string relative) => Path.Combine(ws.OutDir, "heat-diffusion-ci", relative);

    [Fact]
    public void TheCiRecipeBuildsEndToEndAndIncrementally()
    {
        using var ws = HeatWorkspace();
        var first = ws.Build(Recipe);
        BuildAssert.NoFailures(first);
        Assert.Equal(12 + 12 + 3 + 1 + 1, first.Summary.Executed);

        var metrics = JsonNode.Parse(File.ReadAllText(Out(ws, "evaluate/metrics.json")))!;
        Assert.True(metrics["mae"]!.GetValue<double>() > 0);
        Assert.True(metrics["baseline_mean_field_mae"]!.GetValue<double>() > 0);
        Assert.True(metrics["baseline_input_mae"]!.GetValue<double>() > 0);
        foreach (var png in new[] { "evaluate/predictions.png", "evaluate/loss.png", "train/loss.png", "samples/000000/simulate/preview.png" })
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Out(ws, png)).Take(4));
        Assert.True(File.Exists(Out(ws, "train/model.safetensors")));
        Assert.True(File.Exists(Out(ws, "train/model.dat")));
        Assert.True(File.Exists(Out(ws, "train/checkpoints/epoch-001.safetensors")));
        var steady = NpyFile.Read(Out(ws, "samples/000000/simulate/steady.npy"));
        Assert.Equal([16, 16], steady.Shape);

        // No-op, then a later-stage setting, then the augmentation.
        Assert.Equal(0, ws.Build(Recipe).Summary.Executed);
        var epochs = ws.Build(Recipe, "stages.train.epochs=3");
        Assert.Equal(1, Workspace.Executed(epochs, StageNames.Train));
        Assert.Equal(1, Workspace.Executed(epochs, StageNames.Evaluate));
        Assert.Equal(2, epochs.Summary.Executed);
        var augment = ws.Build(Recipe, "stages.augment.dihedral=4");
        Assert.Equal(0, Workspace.Executed(augment, StageNames.Simulate));
        Assert.Equal(12, Workspace.Executed(augment, StageNames.Augment));
        Assert.Equal(3, Workspace.Executed(augment, StageNames.Dataset));
        Assert.Equal(1, Workspace.Executed(augment, StageNames.Train));
        Assert.Equal(1, Workspace.Executed(augment, StageNames.Evaluate));
    }

    [Fact]
    public void DatasetShardsKeepEverySamplesCopiesInOneSplit()
    {
        using var ws = HeatWorkspace();
        BuildAssert.NoFailures(ws.Build(Recipe));
        var splits = new Dictionary<string, string>();
        var pairs = 0;
        foreach (var shard in Directory.EnumerateFiles(Out(ws, "dataset"), "*.json"))
        {
            var manifest = JsonNode.Parse(File.ReadAllText(shard))!;
            foreach (var sample in manifest["samples"]!.AsArray())
            {
                splits[sample!["id"]!.GetValue<string>()] = sample["split"]!.GetValue<string>();
                Assert.Equal(8, sample["pairs"]!.GetValue<int>());
                Assert.NotNull(sample["parameters"]!["sources"]);
                Assert.NotNull(sample["parameters"]!["sample_seed"]);
            }
            var npz = NpzFile.Read(Path.ChangeExtension(shard, ".npz"));
            var safetensors = SafeTensorsFile.Read(Path.ChangeExtension(shard, ".safetensors"));
            foreach (var split in new[] { "train", "test" })
            {
                var ids = safetensors[$"{split}_samples"].ToInts();
                Assert.Equal(ids.Length, npz[$"{split}_inputs"].Shape[0]);
                Assert.Equal([ids.Length, 16, 16], npz[$"{split}_targets"].Shape);
                Assert.Equal(npz[$"{split}_inputs"].Data, safetensors[$"{split}_inputs"].ToArray().Data);
                // Every row of a sample is in the split the manifest gives for it.
                foreach (var index in ids) Assert.Equal(split, splits[Recipes.Sampling.Sample.IdFor(index)]);
                pairs += ids.Length;
            }
        }
        Assert.Equal(12, splits.Count);
        Assert.Equal(96, pairs);
        Assert.Contains("train", splits.Values);
        Assert.Contains("test", splits.Values);
    }

    [Fact]
    public void TwoFreshBuildsGiveIdenticalDatasetsAndWeights()
    {
        using var a = HeatWorkspace();
        using var b = HeatWorkspace();
        a.Build(Recipe);
        b.Build(Recipe);
        var files = Directory.EnumerateFiles(Out(a, "dataset")).Select(Path.GetFileName)
            .Select(f => "dataset/" + f).Append("train/model.safetensors").Append("train/model.dat").ToList();
        Assert.True(files.Count > 4);
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(Out(a, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Out(b, file))), $"{file} differs");
    }

    [Fact]
    public void OnlineTrainingWithSlowSimulationsGivesTheOfflineWeights()
    {
        using var offline = HeatWorkspace();
        var result = offline.Build(Recipe, "stages.train.online=false");
        BuildAssert.NoFailures(result);

        using var online = HeatWorkspace();
        var registry = new PluginRegistry();
        foreach (var plugin in BuiltinPlugins.Create().All)
            registry.Register(plugin.Name == "heat2d" ? new SlowSolver(plugin, TimeSpan.FromMilliseconds(150)) : plugin, isDefault: plugin.Stage == StageNames.Render);
        online.Registry = registry;
        var events = new RecordingReporter();
        online.Reporter = events;
        var streamed = online.Build(Recipe, "stages.train.online=true");
        BuildAssert.NoFailures(streamed);

        // Training started before the last simulation finished, and yet produced the same bytes.
        Assert.True(events.First("started", "train") < events.Last("finished", n => n.StartsWith("simulate/", StringComparison.Ordinal)),
            "training should start while simulations still run");
        Assert.Equal(ContentHash.OfFile(Out(offline, "train/model.safetensors")), ContentHash.OfFile(Out(online, "train/model.safetensors")));
    }
}
