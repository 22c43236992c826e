using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;
using Recipes.Plotting.Imaging;
using Recipes.Stages.Datasets;
using Recipes.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Recipes.Tests.Stages;

/// <summary>
/// Twelve 8-pixel smoke plumes in an image-folder dataset, built twice in fresh workspaces (seconds each). Its columns
/// are every numeric parameter: <c>sample_seed</c> (63-bit integers), <c>sources</c> (small integers), <c>wind_x</c>.
/// </summary>
public sealed class TinyImageFolder : IDisposable
{
    public TinyImageFolder()
    {
        FixtureClock.Measure("tiny image folder, two builds", () =>
        {
            foreach (var ws in new[] { First, Second })
            {
                Write(ws);
                BuildAssert.NoFailures(ws.Build());
            }
        });
    }

    internal static void Write(Workspace ws, string extra = "") =>
        ws.Write("recipe.yaml", $$"""
            recipe: tiny-folder
            seed: 5
            parameters:
              samples: 12
              sampler: sobol
              space:
                wind_x: { uniform: [-2, 2] }
                sources: { int: [1, 3] }
            stages:
              simulate: { solver: smoke2d, size: 8, steps: 3 }
              dataset: { format: image-folder, split: { train: 0.75, test: 0.25 }{{extra}} }
            """);

    public Workspace First { get; } = new();
    public Workspace Second { get; } = new();

    public static string Root(Workspace ws) => Path.Combine(ws.OutDir, "tiny-folder", "dataset");

    public void Dispose()
    {
        First.Dispose();
        Second.Dispose();
    }
}

/// <summary>The image-folder dataset as the Hugging Face Hub reads it: Parquet shards under data/ and a dataset card.</summary>
public sealed class ImageFolderHubTests(TinyImageFolder data) : IClassFixture<TinyImageFolder>
{
    private static readonly string[] Splits = ["train", "test"];
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private string Root => TinyImageFolder.Root(data.First);

    private sealed record Rows(ParquetSchema Schema, IReadOnlyDictionary<string, string> Metadata, List<byte[]?> Bytes, List<string?> Paths,
        List<long?> SampleSeed, List<long?> Sources, List<double?> WindX);

    private static async Task<Rows> ReadSplit(string root, string split)
    {
        var shards = Directory.GetFiles(Path.Combine(root, "data"), $"{split}-*.parquet").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(shards);
        Rows? all = null;
        foreach (var shard in shards)
        {
            await using var reader = await ParquetReader.CreateAsync(shard);
            var fields = reader.Schema.GetDataFields();
            all ??= new Rows(reader.Schema, reader.CustomMetadata, [], [], [], [], []);
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var n = (int)group.RowCount;
                var bytes = new byte[]?[n];
                var paths = new string?[n];
                var seeds = new long?[n];
                var sources = new long?[n];
                var wind = new double?[n];
                await group.ReadAsync(fields[0], bytes.AsMemory());
                await group.ReadAsync(fields[1], paths.AsMemory());
                await group.ReadAsync<long>(fields[2], seeds.AsMemory());
                await group.ReadAsync<long>(fields[3], sources.AsMemory());
                await group.ReadAsync<double>(fields[4], wind.AsMemory());
                all.Bytes.AddRange(bytes);
                all.Paths.AddRange(paths);
                all.SampleSeed.AddRange(seeds);
                all.Sources.AddRange(sources);
                all.WindX.AddRange(wind);
            }
        }
        return all!;
    }

    [Fact]
    public async Task ShardsHoldTheImageFeatureStructThenOneTypedColumnPerParameter()
    {
        foreach (var split in Splits)
        {
            Assert.Equal([$"{split}-00000-of-00001.parquet"], Directory.GetFiles(Path.Combine(Root, "data"), $"{split}-*").Select(Path.GetFileName));
            var rows = await ReadSplit(Root, split);
            Assert.Equal(["image", "sample_seed", "sources", "wind_x"], rows.Schema.Fields.Select(f => f.Name));
            var image = Assert.IsType<StructField>(rows.Schema.Fields[0]);
            Assert.Equal(["bytes", "path"], image.Fields.Select(f => f.Name));
            // Arrow's binary and string: BYTE_ARRAY without and with the STRING logical type.
            var (bytes, path) = (image.Fields[0].SchemaElement!, image.Fields[1].SchemaElement!);
            Assert.Equal((Parquet.Meta.Type.BYTE_ARRAY, false), (bytes.Type, bytes.LogicalType?.STRING is not null));
            Assert.Equal((Parquet.Meta.Type.BYTE_ARRAY, true), (path.Type, path.LogicalType?.STRING is not null));
            Assert.Equal([typeof(long), typeof(long), typeof(double)], rows.Schema.Fields.Skip(1).Select(f => Assert.IsType<DataField>(f, exactMatch: false).ClrType));
            // The footer names the features as datasets writes them, so that load_dataset("parquet") decodes images.
            var features = JsonNode.Parse(rows.Metadata["huggingface"])!["info"]!["features"]!;
            Assert.Equal("Image", features["image"]!["_type"]!.GetValue<string>());
            Assert.Equal("int64", features["sample_seed"]!["dtype"]!.GetValue<string>());
            Assert.Equal("int64", features["sources"]!["dtype"]!.GetValue<string>());
            Assert.Equal("float64", features["wind_x"]!["dtype"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task RowsFollowMetadataJsonlAndCarryThePngFilesByteForByte()
    {
        var samples = data.First.Load().Samples.ToDictionary(s => s.Id);
        var total = 0;
        foreach (var split in Splits)
        {
            var lines = File.ReadAllLines(Path.Combine(Root, split, "metadata.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
            var rows = await ReadSplit(Root, split);
            Assert.Equal(lines.Count, rows.Bytes.Count);
            for (var i = 0; i < lines.Count; i++)
            {
                var file = lines[i]["file_name"]!.GetValue<string>();
                Assert.Equal($"{split}/{file}", rows.Paths[i]);
                var onDisk = Path.Combine(Root, split, file);
                Assert.Equal(File.ReadAllBytes(onDisk), rows.Bytes[i]);
                Assert.Equal(PngSignature, rows.Bytes[i]![..8]);
                var copy = Path.Combine(data.First.Root, "decoded.png");
                File.WriteAllBytes(copy, rows.Bytes[i]!);
                Assert.Equal(GrayImage.Load(onDisk).Pixels, GrayImage.Load(copy).Pixels);
                Assert.Equal(lines[i]["wind_x"]!.GetValue<double>(), rows.WindX[i]);
                Assert.Equal(lines[i]["sources"]!.GetValue<long>(), rows.Sources[i]);
                Assert.InRange(rows.Sources[i]!.Value, 1, 3);
                // Exact, in both files: a 63-bit seed that went through a double would differ in its last digits.
                var seed = samples[Path.GetFileNameWithoutExtension(file)].Parameters.GetLong("sample_seed");
                Assert.Equal(seed, rows.SampleSeed[i]);
                Assert.Equal(seed, lines[i]["sample_seed"]!.GetValue<long>());
            }
            total += lines.Count;
        }
        Assert.Equal(12, total);
    }

    [Fact]
    public void TwoFreshBuildsWriteByteIdenticalShardsAndCard()
    {
        var second = TinyImageFolder.Root(data.Second);
        var files = Directory.GetFiles(Path.Combine(Root, "data")).Select(f => Path.Combine("data", Path.GetFileName(f))).Append("README.md").ToList();
        Assert.Equal(3, files.Count);
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(Path.Combine(Root, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second, file))), $"{file} differs between builds");
    }

    private static YamlMappingNode Header(string card)
    {
        Assert.StartsWith("---\n", card);
        var end = card.IndexOf("\n---\n", 4, StringComparison.Ordinal);
        Assert.True(end > 0, "the card's YAML header is not closed");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(card[4..(end + 1)]));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static string Text(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value!;

    [Fact]
    public async Task TheCardHeaderNamesTheShardsFeaturesAndSplitSizesOfTheFiles()
    {
        var card = File.ReadAllText(Path.Combine(Root, "README.md"));
        var header = Header(card);
        var config = Assert.Single((YamlSequenceNode)header["configs"]);
        Assert.Equal("default", Text(config, "config_name"));
        var dataFiles = ((YamlSequenceNode)((YamlMappingNode)config)["data_files"]).ToList();
        Assert.Equal(Splits, dataFiles.Select(d => Text(d, "split")));
        foreach (var entry in dataFiles)
        {
            var pattern = Text(entry, "path");
            Assert.Equal($"data/{Text(entry, "split")}-*.parquet", pattern);
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(Root, "data"), Path.GetFileName(pattern)));
        }

        var info = (YamlMappingNode)header["dataset_info"];
        var features = ((YamlSequenceNode)info["features"]).Select(f => (Text(f, "name"), Text(f, "dtype"))).ToList();
        Assert.Equal([("image", "image"), ("sample_seed", "int64"), ("sources", "int64"), ("wind_x", "float64")], features);
        var schema = (await ReadSplit(Root, "train")).Schema;
        Assert.Equal(schema.Fields.Select(f => f.Name), features.Select(f => f.Item1));
        foreach (var split in (YamlSequenceNode)info["splits"])
        {
            var name = Text(split, "name");
            var rows = (await ReadSplit(Root, name)).Bytes.Count;
            Assert.Equal(rows.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(split, "num_examples"));
            Assert.Equal(File.ReadAllLines(Path.Combine(Root, name, "metadata.jsonl")).Length, rows);
        }
        Assert.False(((YamlMappingNode)header).Children.ContainsKey("license"), "no license is known, so none is claimed");

        Assert.Contains("- node: `dataset/shard-0000`", card);
        // Canonical (sorted) as the key hashes them, whatever order the recipe wrote them in.
        Assert.Contains("\"split\":{\"test\":0.25,\"train\":0.75}", card);
        Assert.Matches("- action key: `[0-9a-f]{32}`", card);
        Assert.Contains("load_dataset(\"parquet\", data_files={\"train\": \"data/train-*.parquet\", \"test\": \"data/test-*.parquet\"})", card);
        Assert.Contains("load_dataset(\"imagefolder\", data_dir=\"train\", split=\"train\")", card);
    }

    [Fact]
    public void WithParquetOffTheCardPointsAtTheSplitFolders()
    {
        using var ws = new Workspace();
        TinyImageFolder.Write(ws, ", parquet: false");
        BuildAssert.NoFailures(ws.Build());
        var root = TinyImageFolder.Root(ws);
        Assert.False(Directory.Exists(Path.Combine(root, "data")));
        var config = (YamlMappingNode)((YamlSequenceNode)Header(File.ReadAllText(Path.Combine(root, "README.md")))["configs"])[0];
        Assert.Equal(["train/*", "test/*"], ((YamlSequenceNode)config["data_files"]).Select(d => Text(d, "path")));
    }
}

/// <summary>How a split is cut into shards and row groups, on made-up files (no build).</summary>
public sealed class HubParquetShardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hub-parquet-").FullName;

    private List<ParquetRow> Rows(params int[] sizes) => sizes.Select((size, i) =>
    {
        var file = Path.Combine(_dir, $"{i:D4}.png");
        File.WriteAllBytes(file, Enumerable.Range(0, size).Select(b => (byte)(b + i)).ToArray());
        return new ParquetRow($"train/{i:D4}.png", file, [JsonValue.Create((long)i), JsonValue.Create(i / 4.0)]);
    }).ToList();

    [Fact]
    public void ShardsKeepRowOrderWithinTheByteLimitAndNameTheirCount()
    {
        // 300 bytes are more than a shard holds: that image gets a shard of its own.
        var shards = HubParquet.Shards("train", Rows(100, 100, 100, 300, 50, 100), maxShardBytes: 250);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"data/train-{i:D5}-of-00004.parquet"), shards.Select(s => s.Path));
        Assert.Equal(["0000 0001", "0002", "0003", "0004 0005"],
            shards.Select(s => string.Join(" ", s.Rows.Select(r => Path.GetFileNameWithoutExtension(r.File)))));
    }

    [Fact]
    public void AnEmptySplitStillGetsOneShardForItsPattern()
    {
        var shard = Assert.Single(HubParquet.Shards("test", []));
        Assert.Equal("data/test-00000-of-00001.parquet", shard.Path);
        Assert.Empty(shard.Rows);
    }

    [Fact]
    public async Task RowsGoInGroupsOfAHundred()
    {
        var rows = Rows(Enumerable.Repeat(3, 250).ToArray());
        var columns = new[] { new ParameterColumn("k", IsInteger: true), new ParameterColumn("x", IsInteger: false) };
        var path = Path.Combine(_dir, "train.parquet");
        await HubParquet.WriteAsync(path, HubParquet.Schema(columns), HubParquet.FeaturesMetadata(columns), rows, CancellationToken.None);
        await using var reader = await ParquetReader.CreateAsync(path);
        Assert.Equal([100L, 100L, 50L], reader.RowGroups.Select(g => g.RowCount));
        var fields = reader.Schema.GetDataFields();
        var last = new long?[50];
        await reader.OpenRowGroupReader(2).ReadAsync<long>(fields[2], last.AsMemory());
        Assert.Equal(Enumerable.Range(200, 50).Select(i => (long?)i), last);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
