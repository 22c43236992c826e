using System.IO.Compression;
using System.Text.Json.Nodes;
using CsCheck;
using Recipes.Escaping;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Plotting.Imaging;
using Recipes.Reading;
using Recipes.Stages.Datasets;
using Recipes.Stages.Tables;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// docs/security.md, "One reading discipline" for dataset inputs, "Non-finite numbers" and "Clean output" for the
/// dataset card: a sample's <c>.npy</c>, <c>.npz</c>, PNG or result JSON (valid files edited byte by byte, headers
/// given huge shapes or dimensions, values of 1e999 or "NaN") is read, or fails the node with one line naming the
/// sample and file (never the blob's path); a dataset that is written holds nothing non-finite, and its card no raw
/// control character, whatever the parameters' names and values. A sample's <c>draws.json</c> likewise: carried into
/// the dataset's manifests as an object of finite numbers, or the node fails in one line.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class DatasetInputFuzzTests
{
    private static readonly byte[] Npy = NpyBytes();
    private static readonly byte[] Npz = NpzBytes();
    private static readonly byte[] Png = new GrayImage(8, 8, [.. Enumerable.Range(0, 64).Select(i => i / 64f)]).EncodePng();

    private static byte[] NpyBytes()
    {
        using var stream = new MemoryStream();
        NpyFile.Write(stream, new NpyArray([4, 4], [.. Enumerable.Range(0, 16).Select(i => (float)i)]));
        return stream.ToArray();
    }

    private static byte[] NpzBytes()
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var name in new[] { "u.npy", "v.npy" })
            {
                using var member = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                member.Write(NpyBytes());
            }
        return stream.ToArray();
    }

    /// <summary>Header texts with shapes and types that are wrong in every way a header can be.</summary>
    private static readonly Gen<string> Headers = Gen.Select(
        Gen.OneOf("<f4", "<f8", "<i4", "|b1", "<c16", "O", "", "<f4' 'x"), Gen.OneOf("False", "True", "x"),
        Gen.OneOf("4, 4", "1000000000, 1000000000", "", "0,", "-1, 4", "4, x", "2147483648", "4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4", "1e400"),
        (descr, order, shape) => $"{{'descr': '{descr}', 'fortran_order': {order}, 'shape': ({shape}), }}");

    private static byte[] WithHeader(string header, int version)
    {
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        var bytes = Nasty.Utf8(header + "\n");
        if (version == 1) stream.Write(BitConverter.GetBytes((ushort)bytes.Length));
        else stream.Write(BitConverter.GetBytes((uint)bytes.Length));
        stream.Write(bytes);
        stream.Write(new byte[64]);
        return stream.ToArray();
    }

    public sealed record InputCase(int Format, ByteMutation[] Edits, string Header, int Version, int Width, int Height);

    private static readonly Gen<InputCase> Inputs = Gen.Select(Gen.Int[0, 4], ByteMutation.Many(4), Headers, Gen.Int[1, 2],
        Gen.OneOf(1, 8, 4096, 4097, 30000, int.MaxValue, -1, 0), Gen.OneOf(1, 8, 4096, 30000, int.MaxValue, 0),
        (format, edits, header, version, width, height) => new InputCase(format, edits, header, version, width, height));

    private static byte[] Bytes(InputCase c) => c.Format switch
    {
        0 => ByteMutation.ApplyAll(Npy, c.Edits),
        1 => ByteMutation.ApplyAll(WithHeader(c.Header, c.Version), c.Edits),
        2 => ByteMutation.ApplyAll(Npz, c.Edits),
        3 => ByteMutation.ApplyAll(Png, c.Edits),
        _ => ByteMutation.ApplyAll(Security.DatasetInputTests.Declaring(c.Width, c.Height), c.Edits),
    };

    [Fact]
    // Slow: the heaviest fuzz targets (11-30 s with load) leave the quick local run; the full run, CI's, keeps them (and the long fuzz run, Category=Fuzz, runs every target).
    [Trait("Category", "Slow")]
    public void AnyArrayOrImageIsReadOrFailsItsNodeInOneLine()
    {
        using var dir = new FuzzDirectory();
        FuzzBudget.Run("dataset-files", Inputs, c =>
        {
            var root = dir.NewCase();
            var blob = Path.Combine(root, "blob-0123456789abcdef");
            File.WriteAllBytes(blob, Bytes(c));
            var file = new Artifact(c.Format >= 3 ? "image.png" : c.Format == 2 ? "fields.npz" : "input.npy", blob, "h");
            try
            {
                switch (c.Format)
                {
                    case 0 or 1: SampleInput.Read("simulate/000001", file, NpyFile.Read); break;
                    case 2: SampleInput.Read("simulate/000001", file, NpzFile.Read); break;
                    default:
                        var image = SampleInput.Read("simulate/000001", file, GrayImage.Load);
                        Assert.True(image.Width * (long)image.Height <= GrayImage.MaxPixels);
                        break;
                }
            }
            catch (PluginException e)
            {
                Assert.StartsWith($"simulate/000001: {file.Name}: ", e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(root, e.Message, StringComparison.Ordinal);
                Contract.OneLine(e.Message, "dataset input");
            }
            FuzzDirectory.DeleteQuietly(root);
        }, ciCases: 4000, FuzzSeed.For("dataset-files"), print: c => $"{c} {string.Join(",", c.Edits.Select(m => m.ToString()))}");
        dir.AssertOutsideUntouched();
    }

    private static readonly JsonObject Draws = new()
    {
        ["seed"] = 42UL,
        ["draws"] = new JsonObject
        {
            ["disks"] = new JsonArray(new JsonObject { ["x"] = 0.30000000000000004, ["y"] = 0.7, ["radius"] = 0.05, ["temperature"] = 1 }),
            ["source_seed"] = 18446744073709551615UL,
        },
    };

    public sealed record DrawsCase(JsonMutation[] JsonEdits, ByteMutation[] ByteEdits);

    private static readonly Gen<DrawsCase> DrawsFiles = Gen.Select(JsonMutation.Gen.Array[0, 3], Gen.Frequency((3, Gen.Const(Array.Empty<ByteMutation>())), (1, ByteMutation.Many(2))),
        (json, bytes) => new DrawsCase(json, bytes));

    /// <summary>
    /// A sample's draws.json (edited, or bytes changed) is carried into the npy shard manifest and the image-folder
    /// draws.jsonl as an object of finite numbers, or fails the shard in one line without the blob's path.
    /// </summary>
    [Fact]
    public void AnyDrawsFileIsCarriedFiniteOrFailsTheDatasetInOneLine()
    {
        using var dir = new FuzzDirectory();
        FuzzBudget.Run("dataset-draws", DrawsFiles, c =>
        {
            var root = dir.NewCase();
            var samples = new List<UpstreamArtifacts>();
            for (var i = 0; i < 2; i++)
            {
                var folder = Directory.CreateDirectory(Path.Combine(root, $"s{i}")).FullName;
                var draws = i == 0 ? ByteMutation.ApplyAll(Nasty.Utf8(JsonMutation.ApplyAll(Draws, c.JsonEdits)), c.ByteEdits) : Nasty.Utf8(Draws.ToJsonString());
                File.WriteAllBytes(Path.Combine(folder, "blob-draws"), draws);
                File.WriteAllBytes(Path.Combine(folder, "image.png"), Png);
                File.WriteAllBytes(Path.Combine(folder, "input.npy"), Npy);
                samples.Add(new UpstreamArtifacts($"simulate/00000{i}", StageNames.Simulate, i, $"00000{i}", new ValueMap([new("n", JsonValue.Create(i))]),
                [
                    new Artifact(SampleDraws.FileName, Path.Combine(folder, "blob-draws"), "h1"), new Artifact("image.png", Path.Combine(folder, "image.png"), "h2"),
                    new Artifact("input.npy", Path.Combine(folder, "input.npy"), "h3"), new Artifact("steady.npy", Path.Combine(folder, "input.npy"), "h3"),
                ]));
            }
            foreach (StagePlugin stage in new StagePlugin[] { new NpyDatasetStage(), new ImageFolderDatasetStage() })
            {
                var output = Directory.CreateDirectory(Path.Combine(root, "out-" + stage.Name)).FullName;
                var settings = new JsonObject { ["split"] = new JsonObject { ["train"] = 0.5, ["test"] = 0.5 }, ["parquet"] = false };
                if (stage is NpyDatasetStage) settings.Remove("parquet");
                try
                {
                    stage.RunAsync(new PluginContext
                    {
                        NodeId = "dataset", Stage = StageNames.Dataset, Key = new string('c', 32),
                        Settings = new ValueMap(settings.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone()))),
                        Parameters = ValueMap.Empty, Seed = 1, Upstream = samples, WorkDirectory = root, OutputDirectory = output,
                        Log = TextWriter.Null, Metrics = new Dictionary<string, JsonNode?>(), Threads = 1, Device = DeviceKind.Cpu,
                    }, CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (PluginException e)
                {
                    Assert.DoesNotContain(root, e.Message, StringComparison.Ordinal);
                    Contract.OneLine(e.Message, stage.Name);
                    continue;
                }
                var carried = stage is NpyDatasetStage
                    ? JsonNode.Parse(File.ReadAllText(Path.Combine(output, "dataset.json")))!["samples"]!.AsArray().Select(s => s![SampleDraws.Key]).ToList()
                    : File.ReadAllLines(Path.Combine(output, ImageFolderDatasetStage.DrawsFile)).Select(l => JsonNode.Parse(l)![SampleDraws.Key]).ToList();
                Assert.Equal(2, carried.Count);
                Assert.All(carried, d => Assert.IsType<JsonObject>(d));
                Assert.All(carried, d => Assert.Null(SampleDraws.FirstNonFinite(d, SampleDraws.Key)));
            }
            FuzzDirectory.DeleteQuietly(root);
        }, ciCases: 1000, FuzzSeed.For("dataset-draws"), print: c => $"{string.Join(",", c.JsonEdits.Select(m => m.ToString()))} / {string.Join(",", c.ByteEdits.Select(m => m.ToString()))}");
        dir.AssertOutsideUntouched();
    }

    private static readonly JsonObject Result = new() { ["value"] = 1.5, ["count"] = 3, ["name"] = "x" };

    public sealed record TableCase(JsonMutation[] ResultEdits, ByteMutation[] ByteEdits, string ParameterName, string ParameterValue);

    private static readonly Gen<TableCase> Tables = Gen.Select(JsonMutation.Gen.Array[0, 3], Gen.Frequency((3, Gen.Const(Array.Empty<ByteMutation>())), (1, ByteMutation.Many(2))),
        // Parameter names and values come from a loaded recipe, which is valid Unicode text: a lone surrogate cannot reach a writer.
        Gen.Frequency((2, Gen.Const("a")), (1, Nasty.Token.Where(IsText))), Nasty.Token.Where(IsText),
        (json, bytes, name, value) => new TableCase(json, bytes, name, value));

    private static bool IsText(string text) => System.Text.Unicode.Utf8.FromUtf16(text, new byte[text.Length * 3 + 4], out _, out _, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done;

    [Fact]
    // Slow: the heaviest fuzz targets (11-30 s with load) leave the quick local run; the full run, CI's, keeps them (and the long fuzz run, Category=Fuzz, runs every target).
    [Trait("Category", "Slow")]
    public void AnyResultAndParametersMakeACleanFiniteDatasetOrFailInOneLine()
    {
        using var dir = new FuzzDirectory();
        FuzzBudget.Run("dataset-writers", Tables, c =>
        {
            var root = dir.NewCase();
            var samples = new List<UpstreamArtifacts>();
            for (var i = 0; i < 2; i++)
            {
                var folder = Directory.CreateDirectory(Path.Combine(root, $"s{i}")).FullName;
                var result = i == 0 ? ByteMutation.ApplyAll(Nasty.Utf8(JsonMutation.ApplyAll(Result, c.ResultEdits)), c.ByteEdits) : Nasty.Utf8(Result.ToJsonString());
                File.WriteAllBytes(Path.Combine(folder, "result.json"), result);
                File.WriteAllBytes(Path.Combine(folder, "image.png"), Png);
                var parameters = new ValueMap([new(c.ParameterName.Length == 0 ? "p" : c.ParameterName, JsonValue.Create(c.ParameterValue)), new("n", JsonValue.Create(i))]);
                samples.Add(new UpstreamArtifacts($"simulate/00000{i}", StageNames.Simulate, i, $"00000{i}", parameters,
                    [new Artifact("result.json", Path.Combine(folder, "result.json"), "h1"), new Artifact("image.png", Path.Combine(folder, "image.png"), "h2")]));
            }
            foreach (StagePlugin stage in new StagePlugin[] { new CsvDatasetStage(), new ImageFolderDatasetStage() })
            {
                var output = Directory.CreateDirectory(Path.Combine(root, "out-" + stage.Name)).FullName;
                var settings = stage is CsvDatasetStage ? new JsonObject() : new JsonObject { ["split"] = new JsonObject { ["train"] = 0.5, ["test"] = 0.5 } };
                try
                {
                    stage.RunAsync(new PluginContext
                    {
                        NodeId = "dataset", Stage = StageNames.Dataset, Key = new string('c', 32),
                        Settings = new ValueMap(settings.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone()))),
                        Parameters = ValueMap.Empty, Seed = 1, Upstream = samples, WorkDirectory = root, OutputDirectory = output,
                        Log = TextWriter.Null, Metrics = new Dictionary<string, JsonNode?>(), Threads = 1, Device = DeviceKind.Cpu,
                    }, CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (PluginException e)
                {
                    Assert.DoesNotContain(root, e.Message, StringComparison.Ordinal);
                    Contract.OneLine(e.Message, stage.Name);
                    continue;
                }
                foreach (var written in Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Where(f => Path.GetExtension(f) is ".csv" or ".md" or ".json"))
                {
                    var text = File.ReadAllText(written);
                    // The card is read as Markdown (and shown in terminals); a CSV cell may hold any text, quoted.
                    if (written.EndsWith(".md", StringComparison.Ordinal))
                        Assert.False(text.Any(ch => TerminalText.NeedsEscape(ch) && ch is not '\n'), $"{Path.GetFileName(written)} holds a raw control character: {TerminalText.Clean(text)}");
                    if (written.EndsWith(".csv", StringComparison.Ordinal))
                        // The header names columns (a parameter may be called NaN); the rows below it are the values.
                        Assert.DoesNotMatch(@"(^|,)[+-]?(Infinity|NaN|inf|nan|∞)(,|$)", string.Join(",\n,", text.Split('\n').Skip(1)));
                }
            }
            FuzzDirectory.DeleteQuietly(root);
        }, ciCases: 1500, FuzzSeed.For("dataset-writers"), print: c => $"{string.Join(",", c.ResultEdits.Select(m => m.ToString()))} / {string.Join(",", c.ByteEdits.Select(m => m.ToString()))} / {TerminalText.Clean(c.ParameterName)}={TerminalText.Clean(c.ParameterValue.Length > 60 ? c.ParameterValue[..60] : c.ParameterValue)}");
        dir.AssertOutsideUntouched();
    }
}
