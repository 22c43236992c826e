using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Stages.Datasets;

namespace Recipes.Tests.Stages;

/// <summary>The npy dataset's shard manifest carries every sample's recorded draws beside its parameters, read as untrusted input.</summary>
public sealed class DatasetDrawsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dataset-draws-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private UpstreamArtifacts Sample(string id, string? draws)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, id)).FullName;
        var files = new List<Artifact>();
        foreach (var name in new[] { "input.npy", "steady.npy" })
        {
            NpyFile.Write(Path.Combine(folder, name), new NpyArray([2, 2], [1, 2, 3, 4]));
            files.Add(new Artifact(name, Path.Combine(folder, name), name));
        }
        if (draws is not null)
        {
            File.WriteAllText(Path.Combine(folder, SampleDraws.FileName), draws);
            files.Add(new Artifact(SampleDraws.FileName, Path.Combine(folder, SampleDraws.FileName), "d" + id));
        }
        return new UpstreamArtifacts($"augment/{id}", StageNames.Augment, int.Parse(id, System.Globalization.CultureInfo.InvariantCulture), id,
            new ValueMap([new("sources", 1)]), files);
    }

    private JsonArray Run(params UpstreamArtifacts[] samples)
    {
        var output = Directory.CreateDirectory(Path.Combine(_root, "out", Guid.NewGuid().ToString("N"))).FullName;
        new NpyDatasetStage().RunAsync(new PluginContext
        {
            NodeId = "dataset/shard-0",
            Stage = StageNames.Dataset,
            Settings = new ValueMap([new("split", new JsonObject { ["train"] = 1.0 })]),
            Parameters = ValueMap.Empty,
            Seed = 1,
            Upstream = samples,
            WorkDirectory = _root,
            OutputDirectory = output,
            Log = TextWriter.Null,
            Metrics = new Dictionary<string, JsonNode?>(),
            Threads = 1,
            Device = DeviceKind.Cpu,
        }, CancellationToken.None).GetAwaiter().GetResult();
        return JsonNode.Parse(File.ReadAllText(Path.Combine(output, "shard-0.json")))!["samples"]!.AsArray();
    }

    private const string Disk = """{"seed": 9, "draws": {"disks": [{"x": 0.30000000000000004, "y": 0.7, "radius": 0.05, "temperature": 1}]}}""";

    [Fact]
    public void TheShardManifestCarriesEachSamplesDrawsBesideItsParameters()
    {
        var samples = Run(Sample("000000", Disk), Sample("000001", null));
        var drawn = samples.Single(s => s!["id"]!.GetValue<string>() == "000000")!;
        Assert.Equal(1, drawn["parameters"]!["sources"]!.GetValue<int>());
        var disk = drawn[SampleDraws.Key]!["disks"]![0]!;
        // The number as recorded, to the last bit.
        Assert.Equal(0.30000000000000004, disk["x"]!.GetValue<double>());
        Assert.Equal(0.7, disk["y"]!.GetValue<double>());
        // A sample whose solver drew nothing has no draws entry, not an empty one.
        Assert.Null(samples.Single(s => s!["id"]!.GetValue<string>() == "000001")![SampleDraws.Key]);
    }

    [Theory]
    [InlineData("""{"draws": {"disks": [{"x": 1e400}]}}""", "draws.disks[0].x is not a finite number")]
    [InlineData("""{"seed": 9}""", "has no \"draws\" object")]
    [InlineData("""{"draws": [1, 2]}""", "has no \"draws\" object")]
    [InlineData("""{"draws": {"a": 1}""", "draws.json")]
    public void ABrokenDrawsFileFailsTheShardWithOneClearLine(string text, string expected)
    {
        var error = Assert.Throws<PluginException>(() => Run(Sample("000000", text)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_root, error.Message, StringComparison.Ordinal);
    }
}
