using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Stages.Datasets;
using Recipes.Training.GraphNetworks;
using Recipes.Tests.Support;

namespace Recipes.Tests.Stages;

/// <summary>
/// The learning-to-simulate dataset opens unchanged in the tools that read such data: the gns package's npz (object
/// arrays of (positions, particle_type), pickled) and DeepMind's TFRecords of SequenceExamples. The readers here are
/// written from the formats' specifications (pickle opcodes, TFRecord framing, protobuf wire format), not from the
/// writers.
/// </summary>
public sealed class TrajectoryDatasetTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("l2s-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private const int Steps = 4, Particles = 3, Dim = 2;

    /// <summary>Positions unique per trajectory, step, particle and axis, exactly representable in float32.</summary>
    private static float Position(int trajectory, int t, int i, int d) => trajectory * 100 + t * 10 + i + d * 0.25f;

    private static int Type(int trajectory, int i) => i == 0 ? 3 : 5 + trajectory;

    private UpstreamArtifacts Sample(int k, string id, int steps = Steps, Func<int, int, int>? type = null)
    {
        type ??= Type;
        var folder = Directory.CreateDirectory(Path.Combine(_root, "in", id)).FullName;
        var positions = new float[steps * Particles * Dim];
        for (var t = 0; t < steps; t++)
            for (var i = 0; i < Particles; i++)
                for (var d = 0; d < Dim; d++)
                    positions[(t * Particles + i) * Dim + d] = Position(k, t, i, d);
        NpyFile.Write(Path.Combine(folder, "positions.npy"), new NpyArray([steps, Particles, Dim], positions));
        NpyFile.WriteInt32(Path.Combine(folder, "particle_type.npy"), [Particles], Enumerable.Range(0, Particles).Select(i => type(k, i)).ToArray());
        File.WriteAllText(Path.Combine(folder, "metadata.json"), """{ "dim": 2, "dt": 0.01, "spacing": 0.02, "bounds": [[0, 1], [0, 0.5]] }""");
        var files = new[] { "positions.npy", "particle_type.npy", "metadata.json" }.Select(n => new Artifact(n, Path.Combine(folder, n), n)).ToList();
        return new UpstreamArtifacts($"simulate/{id}", StageNames.Simulate, k, id, ValueMap.Empty, files);
    }

    private (string Output, Dictionary<string, JsonNode?> Metrics) Run(IReadOnlyList<UpstreamArtifacts> samples, JsonObject settings)
    {
        var output = Directory.CreateDirectory(Path.Combine(_root, "out", Guid.NewGuid().ToString("N"))).FullName;
        var metrics = new Dictionary<string, JsonNode?>();
        var stage = new TrajectoryDatasetStage();
        var values = new ValueMap(settings.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone())));
        Assert.Empty(stage.Validate(values));
        stage.RunAsync(new PluginContext
        {
            NodeId = "dataset",
            Stage = StageNames.Dataset,
            Settings = values,
            Parameters = ValueMap.Empty,
            Seed = 1,
            Upstream = samples,
            WorkDirectory = _root,
            OutputDirectory = output,
            Log = TextWriter.Null,
            Metrics = metrics,
            Threads = 1,
            Device = DeviceKind.Cpu,
        }, CancellationToken.None).GetAwaiter().GetResult();
        return (output, metrics);
    }

    private static JsonObject Settings(string files = "npz") =>
        new() { ["split"] = new JsonObject { ["train"] = 0.5, ["valid"] = 0.25, ["test"] = 0.25 }, ["files"] = files };

    private List<UpstreamArtifacts> FourSamples() => Enumerable.Range(0, 4).Select(k => Sample(k, $"{k:D4}")).ToList();

    private static Dictionary<string, List<string>> SplitsOf(string output) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metadata.json")))!["splits"]!.AsObject()
            .ToDictionary(s => s.Key, s => s.Value!.AsArray().Select(v => v!.GetValue<string>()).ToList());

    // ---- npz as gns reads it -------------------------------------------------------------------------------------

    [Fact]
    public void EachNpzMemberIsAPickledObjectPairOfPositionsAndParticleTypes()
    {
        var (output, _) = Run(FourSamples(), Settings());
        var seen = 0;
        foreach (var (split, ids) in SplitsOf(output))
        {
            using var zip = ZipFile.OpenRead(Path.Combine(output, $"{split}.npz"));
            Assert.Equal(ids.Order(StringComparer.Ordinal).Select(id => $"trajectory_{id}.npy"), zip.Entries.Select(e => e.FullName));
            foreach (var entry in zip.Entries)
            {
                var k = int.Parse(entry.Name["trajectory_".Length..^".npy".Length], CultureInfo.InvariantCulture);
                using var member = entry.Open();
                var (descr, shape, payload) = SpecNpy.Read(member);
                Assert.Equal("|O", descr);
                Assert.Equal("(2,)", shape);
                var items = SpecPickle.ObjectArrayItems(payload);
                Assert.Equal(2, items.Count);

                var positions = items[0];
                Assert.Equal(("<", "f4"), (positions.Order, positions.Dtype));
                Assert.Equal([Steps, Particles, Dim], positions.Shape);
                var values = MemoryMarshal.Cast<byte, float>(positions.Data).ToArray();
                for (var t = 0; t < Steps; t++)
                    for (var i = 0; i < Particles; i++)
                        for (var d = 0; d < Dim; d++)
                            Assert.Equal(Position(k, t, i, d), values[(t * Particles + i) * Dim + d]);

                var types = items[1];
                Assert.Equal(("<", "i8"), (types.Order, types.Dtype));
                Assert.Equal([Particles], types.Shape);
                Assert.Equal(Enumerable.Range(0, Particles).Select(i => (long)Type(k, i)), MemoryMarshal.Cast<byte, long>(types.Data).ToArray());
                seen++;
            }
        }
        Assert.Equal(4, seen);
    }

    [PythonNumpyFact]
    public void NumpyLoadsTheNpzTheWayTheGnsPackageDoes()
    {
        var (output, _) = Run(FourSamples(), Settings());
        // What gns/data_loader.py does: np.load with allow_pickle, 'gns_data' if present else the items' values in
        // archive order, data[0][0].shape[-1] for the dimension, and tuples unpacked as (positions, particle_type);
        // SamplesDataset then broadcasts the types with np.full(n_particles, particle_type, dtype=int).
        const string script = """
            import json, sys
            import numpy as np
            result = {}
            for split in ("train", "valid", "test"):
                with np.load(f"{sys.argv[1]}/{split}.npz", allow_pickle=True) as data_file:
                    assert "gns_data" not in data_file
                    keys = list(data_file.keys())
                    data = [item for _, item in data_file.items()]
                dimension = data[0][0].shape[-1]
                trajectories = []
                for x, particle_type in data:
                    types = np.full(x.shape[1], particle_type, dtype=int)
                    trajectories.append({
                        "shape": list(x.shape), "dtype": str(x.dtype), "type_dtype": str(particle_type.dtype),
                        "positions": x.astype(float).ravel().tolist(), "types": types.tolist(),
                    })
                result[split] = {"keys": keys, "dimension": int(dimension), "trajectories": trajectories}
            print(json.dumps(result))
            """;
        var loaded = JsonNode.Parse(PythonNumpy.Run(script, output))!;
        var seen = 0;
        foreach (var (split, ids) in SplitsOf(output))
        {
            var part = loaded[split]!;
            var expected = ids.Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected.Select(id => $"trajectory_{id}"), part["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
            Assert.Equal(Dim, part["dimension"]!.GetValue<int>());
            for (var n = 0; n < expected.Count; n++)
            {
                var k = int.Parse(expected[n], CultureInfo.InvariantCulture);
                var trajectory = part["trajectories"]![n]!;
                Assert.Equal([Steps, Particles, Dim], trajectory["shape"]!.AsArray().Select(v => v!.GetValue<int>()));
                Assert.Equal("float32", trajectory["dtype"]!.GetValue<string>());
                Assert.Equal("int64", trajectory["type_dtype"]!.GetValue<string>());
                var positions = trajectory["positions"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
                for (var t = 0; t < Steps; t++)
                    for (var i = 0; i < Particles; i++)
                        for (var d = 0; d < Dim; d++)
                            Assert.Equal(Position(k, t, i, d), positions[(t * Particles + i) * Dim + d]);
                Assert.Equal(Enumerable.Range(0, Particles).Select(i => Type(k, i)), trajectory["types"]!.AsArray().Select(v => v!.GetValue<int>()));
                seen++;
            }
        }
        Assert.Equal(4, seen);
    }

    [PythonNumpyFact]
    public void TheReadersOfThisRepositoryReadAnObjectNpzThatNumpyWrote()
    {
        // np.savez of (positions, particle_type) pairs as a gns user would make them; what the trainer reads back.
        var folder = Directory.CreateDirectory(Path.Combine(_root, "numpy")).FullName;
        const string script = """
            import sys
            import numpy as np
            x = (np.arange(5 * 3 * 2, dtype=np.float32) * 0.5).reshape(5, 3, 2)
            pair = np.empty(2, dtype=object)
            pair[0] = x
            pair[1] = np.array([1, 5, 5])
            np.savez(f"{sys.argv[1]}/train.npz", trajectory_7=pair)
            """;
        PythonNumpy.Run(script, folder);
        var dataset = new UpstreamArtifacts("dataset", StageNames.Dataset, null, null, ValueMap.Empty,
            [new Artifact("train.npz", Path.Combine(folder, "train.npz"), "h")]);
        var trajectory = Assert.Single(Trajectory.ReadSplit(dataset, "train", 2));
        Assert.Equal(("7", 5, 3), (trajectory.Id, trajectory.Steps, trajectory.Particles));
        Assert.Equal(Enumerable.Range(0, 30).Select(v => v * 0.5f), trajectory.Positions);
        Assert.Equal([1, 5, 5], trajectory.Types);
    }

    [Fact]
    public void TheGraphNetworkTrainerReadsTheSplitsBack()
    {
        var (output, _) = Run(FourSamples(), Settings());
        foreach (var (split, ids) in SplitsOf(output))
        {
            var dataset = new UpstreamArtifacts("dataset", StageNames.Dataset, null, null, ValueMap.Empty,
                [new Artifact($"{split}.npz", Path.Combine(output, $"{split}.npz"), "h")]);
            var trajectories = Trajectory.ReadSplit(dataset, split, Dim);
            Assert.Equal(ids.Order(StringComparer.Ordinal), trajectories.Select(t => t.Id));
            foreach (var trajectory in trajectories)
            {
                var k = int.Parse(trajectory.Id, CultureInfo.InvariantCulture);
                Assert.Equal((Steps, Particles), (trajectory.Steps, trajectory.Particles));
                Assert.Equal(Position(k, 2, 1, 1), trajectory.At(2)[1 * Dim + 1]);
                Assert.Equal(Enumerable.Range(0, Particles).Select(i => Type(k, i)), trajectory.Types);
            }
        }
    }

    // ---- TFRecord as DeepMind's reading_utils parses it ----------------------------------------------------------

    [Fact]
    public void Crc32CGivesTheStandardCheckValue()
    {
        Assert.Equal(0xE3069283u, SpecTfRecord.Crc32C("123456789"u8));
        Assert.Equal(0xE3069283u, TfRecordFile.Crc32C("123456789"u8));
        var long_ = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(SpecTfRecord.Crc32C(long_), TfRecordFile.Crc32C(long_));
    }

    [Fact]
    public void TfRecordsHoldOneSequenceExamplePerTrajectory()
    {
        // The third trajectory is longer: DeepMind's reader reshapes to sequence_length + 1 steps, so it is cut.
        var samples = FourSamples();
        samples[2] = Sample(2, "0002", steps: Steps + 2);
        var (output, _) = Run(samples, Settings("tfrecord"));
        Assert.Equal(Steps - 1, JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metadata.json")))!["sequence_length"]!.GetValue<int>());
        var seen = 0;
        foreach (var (split, ids) in SplitsOf(output))
        {
            Assert.False(File.Exists(Path.Combine(output, $"{split}.npz")));
            var records = SpecTfRecord.Records(File.ReadAllBytes(Path.Combine(output, $"{split}.tfrecord")));
            var expected = ids.Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected.Count, records.Count);
            for (var n = 0; n < records.Count; n++)
            {
                var k = int.Parse(expected[n], CultureInfo.InvariantCulture);
                var (context, lists) = SpecProto.SequenceExample(records[n]);
                Assert.Equal(["key", "particle_type"], context.Keys.Order(StringComparer.Ordinal));
                Assert.Equal([(long)n], SpecProto.Int64List(context["key"]));
                var typeBytes = Assert.Single(SpecProto.BytesList(context["particle_type"]));
                Assert.Equal(Enumerable.Range(0, Particles).Select(i => (long)Type(k, i)),
                    Enumerable.Range(0, typeBytes.Length / 8).Select(i => BinaryPrimitives.ReadInt64LittleEndian(typeBytes.AsSpan(i * 8))));
                var steps = Assert.Single(lists, l => l.Key == "position").Value;
                Assert.Equal(Steps, steps.Count);
                for (var t = 0; t < Steps; t++)
                {
                    var raw = Assert.Single(SpecProto.BytesList(steps[t]));
                    Assert.Equal(Particles * Dim * 4, raw.Length);
                    for (var i = 0; i < Particles; i++)
                        for (var d = 0; d < Dim; d++)
                            Assert.Equal(Position(k, t, i, d), BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(((i * Dim) + d) * 4)));
                }
                seen++;
            }
        }
        Assert.Equal(4, seen);
    }

    [Fact]
    public void BothWritesNpzAndTfRecordPerSplit()
    {
        var (output, _) = Run(FourSamples(), Settings("both"));
        foreach (var split in new[] { "train", "valid", "test" })
        {
            Assert.True(File.Exists(Path.Combine(output, $"{split}.npz")), split);
            Assert.True(File.Exists(Path.Combine(output, $"{split}.tfrecord")), split);
        }
    }

    // ---- HDF5 as LagrangeBench reads it ----------------------------------------------------------------------------

    /// <summary>The solvers' two types: particle 0 a boundary (3), the others water (5).</summary>
    private static int WaterAndBoundary(int trajectory, int i) => i == 0 ? 3 : 5;

    private const int LongSteps = 9;

    private List<UpstreamArtifacts> FourLongSamples() => Enumerable.Range(0, 4).Select(k => Sample(k, $"{k:D4}", LongSteps, WaterAndBoundary)).ToList();

    [PythonH5pyFact]
    public void H5pyReadsTheH5FilesTheWayLagrangeBenchsLoaderDoes()
    {
        var (output, _) = Run(FourLongSamples(), Settings("lagrangebench"));
        // What lagrangebench/data/data.py's H5Dataset does: metadata.json beside {split}.h5, the trajectory keys as
        // h5py lists them, the sequence length from 00000/position, training windows of input_seq_length + 1 (+ the
        // pushforward steps) frames cut with get_window, and valid/test trajectories split into chunks of
        // input_seq_length + extra_seq_length frames by get_trajectory; positions transposed to [particles, time, dim].
        const string script = """
            import json, sys, os
            import numpy as np, h5py
            root = sys.argv[1]
            metadata = json.load(open(os.path.join(root, "metadata.json")))
            needed = ["bounds", "dim", "dt", "write_every", "dx", "default_connectivity_radius", "num_particles_max",
                      "periodic_boundary_conditions", "vel_mean", "vel_std", "acc_mean", "acc_std"]
            missing = [k for k in needed if k not in metadata]
            input_seq_length, extra_seq_length = 6, 2
            result = {"missing": missing, "metadata": metadata, "splits": {}}
            for split in ("train", "valid", "test"):
                with h5py.File(os.path.join(root, split + ".h5"), "r") as f:
                    keys = list(f.keys())
                    sequence_length = f["00000/position"].shape[0]
                    windows = []
                    if split == "train":
                        subseq = input_seq_length + 1 + extra_seq_length
                        for key in keys:
                            for el in range(sequence_length - subseq + 1):
                                pos = f[key]["position"][el:el + subseq].transpose((1, 0, 2))
                                windows.append({"key": key, "start": el, "shape": list(pos.shape), "dtype": str(pos.dtype),
                                                "positions": pos.astype(float).ravel().tolist()})
                    else:
                        subseq = input_seq_length + extra_seq_length
                        for key in keys:
                            for n in range(sequence_length // subseq):
                                pos = f[key]["position"][n * subseq:(n + 1) * subseq].transpose((1, 0, 2))
                                windows.append({"key": key, "start": n * subseq, "shape": list(pos.shape), "dtype": str(pos.dtype),
                                                "positions": pos.astype(float).ravel().tolist()})
                    types = {key: f[key]["particle_type"][:] for key in keys}
                    result["splits"][split] = {
                        "keys": keys, "sequence_length": int(sequence_length), "windows": windows,
                        "type_dtype": {k: str(v.dtype) for k, v in types.items()},
                        "types": {k: v.tolist() for k, v in types.items()},
                    }
            print(json.dumps(result))
            """;
        var loaded = JsonNode.Parse(PythonNumpy.RunWith(PythonNumpy.WithH5py!, script, output))!;
        Assert.Empty(loaded["missing"]!.AsArray());
        var metadata = loaded["metadata"]!;
        Assert.Equal(Particles, metadata["num_particles_max"]!.GetValue<int>());
        Assert.Equal([false, false], metadata["periodic_boundary_conditions"]!.AsArray().Select(b => b!.GetValue<bool>()));
        Assert.Equal(0.02, metadata["dx"]!.GetValue<double>());
        Assert.Equal(1, metadata["write_every"]!.GetValue<int>());
        var windows = 0;
        foreach (var (split, ids) in SplitsOf(output))
        {
            var part = loaded["splits"]![split]!;
            var ordered = ids.Order(StringComparer.Ordinal).ToList();
            Assert.Equal(ordered.Select((_, n) => n.ToString("D5", CultureInfo.InvariantCulture)), part["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
            Assert.Equal(LongSteps, part["sequence_length"]!.GetValue<int>());
            foreach (var window in part["windows"]!.AsArray())
            {
                var key = window!["key"]!.GetValue<string>();
                var k = int.Parse(ordered[int.Parse(key, CultureInfo.InvariantCulture)], CultureInfo.InvariantCulture);
                var start = window["start"]!.GetValue<int>();
                var length = window["shape"]!.AsArray()[1]!.GetValue<int>();
                Assert.Equal([Particles, length, Dim], window["shape"]!.AsArray().Select(d => d!.GetValue<int>()));
                Assert.Equal("float32", window["dtype"]!.GetValue<string>());
                var values = window["positions"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
                for (var i = 0; i < Particles; i++)
                    for (var t = 0; t < length; t++)
                        for (var d = 0; d < Dim; d++)
                            Assert.Equal(Position(k, start + t, i, d), values[(i * length + t) * Dim + d]);
                windows++;
            }
            foreach (var key in part["keys"]!.AsArray().Select(k => k!.GetValue<string>()))
            {
                Assert.Equal("int32", part["type_dtype"]![key]!.GetValue<string>());
                // LagrangeBench's NodeType: the boundary particle is SOLID_WALL (1), water FLUID (0).
                Assert.Equal([1, 0, 0], part["types"]![key]!.AsArray().Select(t => t!.GetValue<int>()));
            }
        }
        // 9 frames: 1 training window of 6 + 1 + 2 per trajectory (two in train), 1 chunk of 6 + 2 per valid/test one.
        Assert.Equal(4, windows);
    }

    [Fact]
    public void TheH5FilesAreTheSameBytesEveryTimeAndAllWritesEveryFormat()
    {
        var (first, _) = Run(FourLongSamples(), Settings("all"));
        var (second, _) = Run(FourLongSamples(), Settings("all"));
        foreach (var split in new[] { "train", "valid", "test" })
        {
            foreach (var extension in new[] { "npz", "tfrecord", "h5" }) Assert.True(File.Exists(Path.Combine(first, $"{split}.{extension}")), $"{split}.{extension}");
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, $"{split}.h5")), File.ReadAllBytes(Path.Combine(second, $"{split}.h5")));
        }
        // Without h5 files metadata.json holds none of LagrangeBench's extra fields (the bytes of existing datasets stay).
        var (npzOnly, _) = Run(FourLongSamples(), Settings("npz"));
        Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(npzOnly, "metadata.json")))!["num_particles_max"]);
    }

    [Fact]
    public void AParticleTypeLagrangeBenchHasNoWordForFailsInOneLine()
    {
        var error = Assert.Throws<PluginException>(() => Run(FourSamples(), Settings("lagrangebench")));
        Assert.Equal("trajectory 0001: particle type 6 has no LagrangeBench counterpart (water 5 and boundary 3 do)", error.Message);
    }

    // ---- splits --------------------------------------------------------------------------------------------------

    private static readonly (string, double)[] HalfQuarterQuarter = [("train", 0.5), ("valid", 0.25), ("test", 0.25)];

    /// <summary>Four ids of which the plain hash leaves a split empty (checked), so the rule has work to do.</summary>
    private static List<string> Unlucky()
    {
        var ids = Enumerable.Range(0, 4).Select(k => $"{k:D4}").ToList();
        Assert.Contains(HalfQuarterQuarter, s => ids.All(id => SplitAssignment.Assign(id, HalfQuarterQuarter, 0) != s.Item1));
        return ids;
    }

    [Fact]
    public void FourTrajectoriesFillEveryRequestedSplit()
    {
        var (output, metrics) = Run(FourSamples(), Settings());
        Unlucky();
        var splits = SplitsOf(output);
        Assert.All(new[] { "train", "valid", "test" }, s => Assert.NotEmpty(splits[s]));
        Assert.Equal(Enumerable.Range(0, 4).Select(k => $"{k:D4}"), splits.Values.SelectMany(v => v).Order(StringComparer.Ordinal));
        Assert.All(new[] { "train", "valid", "test" }, s => Assert.True(metrics[$"{s}_trajectories"]!.GetValue<int>() > 0, s));
    }

    [Fact]
    public void TheRuleMovesOnlyWhatAnEmptySplitNeeds()
    {
        var ids = Unlucky();
        var assigned = SplitAssignment.AssignAll(ids, HalfQuarterQuarter, 0, "trajectory", "trajectories");
        Assert.All(HalfQuarterQuarter, s => Assert.Contains(s.Item1, assigned.Values));
        var moved = ids.Count(id => assigned[id] != SplitAssignment.Assign(id, HalfQuarterQuarter, 0));
        var empty = HalfQuarterQuarter.Count(s => ids.All(id => SplitAssignment.Assign(id, HalfQuarterQuarter, 0) != s.Item1));
        Assert.Equal(empty, moved);

        // With many ids no split is empty: every id keeps its hash split, so growing a dataset moves nothing.
        var many = Enumerable.Range(0, 200).Select(k => $"{k:D4}").ToList();
        var all = SplitAssignment.AssignAll(many, HalfQuarterQuarter, 0, "sample", "samples");
        Assert.All(many, id => Assert.Equal(SplitAssignment.Assign(id, HalfQuarterQuarter, 0), all[id]));
        // A zero fraction stays empty and asks for no id.
        var zero = SplitAssignment.AssignAll(ids.Take(2).ToList(), [("train", 0.5), ("valid", 0.0), ("test", 0.5)], 0, "sample", "samples");
        Assert.DoesNotContain("valid", zero.Values);
        Assert.Equal(2, zero.Values.Distinct().Count());
    }

    [Fact]
    public void TooFewTrajectoriesForTheSplitsFailWithOneClearLine()
    {
        var samples = FourSamples().Take(2).ToList();
        var error = Assert.Throws<PluginException>(() => Run(samples, Settings()));
        Assert.Equal("3 splits requested but only 2 trajectories; add samples or drop a split", error.Message);
    }
}

/// <summary>A .npy header read from the format's description (numpy's NEP 1): magic, version, header length, dict.</summary>
internal static class SpecNpy
{
    public static (string Descr, string Shape, byte[] Payload) Read(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        Assert.Equal("\x93NUMPY", Encoding.Latin1.GetString(bytes, 0, 6));
        var (headerStart, length) = bytes[6] == 1 ? (10, (int)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8))) : (12, (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var header = Encoding.Latin1.GetString(bytes, headerStart, length);
        Assert.Equal(0, (headerStart + length) % 64);
        Assert.EndsWith("\n", header, StringComparison.Ordinal);
        string Field(string name)
        {
            var at = header.IndexOf($"'{name}': ", StringComparison.Ordinal) + name.Length + 4;
            var end = header[at] == '(' ? header.IndexOf(')', at) + 1 : header.IndexOf(',', at);
            return header[at..end].Trim('\'');
        }
        Assert.Equal("False", Field("fortran_order"));
        return (Field("descr"), Field("shape"), bytes[(headerStart + length)..]);
    }
}

/// <summary>
/// A pickle decoder written from the opcode table (CPython's pickletools): it decodes to a tree of calls and builds
/// without executing anything, then reads numpy's ndarray reduction out of the tree.
/// </summary>
internal static class SpecPickle
{
    public sealed record Call(string Function, object?[] Arguments);

    public sealed record Built(object? Target, object? State);

    public sealed record Numeric(string Order, string Dtype, int[] Shape, byte[] Data);

    public static List<Numeric> ObjectArrayItems(byte[] pickle)
    {
        var root = Decode(pickle);
        var (dtype, order, _, items) = Array(root);
        Assert.Equal(("O8", "|"), (dtype, order));
        return ((List<object?>)items).Select(item =>
        {
            var (itemDtype, itemOrder, shape, data) = Array(item);
            return new Numeric(itemOrder, itemDtype, shape, (byte[])data);
        }).ToList();
    }

    /// <summary>numpy's ndarray: BUILD(_reconstruct(ndarray, (0,), b'b'), (1, shape, BUILD(dtype(name, False, True), (3, order, ...)), False, data)).</summary>
    private static (string Dtype, string Order, int[] Shape, object Data) Array(object? node)
    {
        var built = Assert.IsType<Built>(node);
        var reconstruct = Assert.IsType<Call>(built.Target);
        Assert.Equal("numpy.core.multiarray._reconstruct", reconstruct.Function);
        Assert.Equal("numpy.ndarray", Assert.IsType<string>(reconstruct.Arguments[0]!.ToString()));
        var state = Assert.IsType<object?[]>(built.State);
        Assert.Equal(5, state.Length);
        Assert.Equal(1L, state[0]);
        var shape = ((object?[])state[1]!).Select(d => (int)(long)d!).ToArray();
        var dtype = Assert.IsType<Built>(state[2]);
        var dtypeCall = Assert.IsType<Call>(dtype.Target);
        Assert.Equal("numpy.dtype", dtypeCall.Function);
        Assert.Equal([false, true], dtypeCall.Arguments[1..]);
        var dtypeState = Assert.IsType<object?[]>(dtype.State);
        Assert.Equal(3L, dtypeState[0]);
        Assert.Equal(false, state[3]);
        return ((string)dtypeCall.Arguments[0]!, (string)dtypeState[1]!, shape, state[4]!);
    }

    private sealed class Marker;

    private sealed record GlobalName(string Name)
    {
        public override string ToString() => Name;
    }

    private static object? Decode(byte[] p)
    {
        var stack = new Stack<object?>();
        var memo = new Dictionary<long, object?>();
        var at = 0;
        object?[] UntilMark()
        {
            var items = new List<object?>();
            while (stack.Peek() is not Marker) items.Insert(0, stack.Pop());
            stack.Pop();
            return items.ToArray();
        }
        int U8() => p[at++];
        int Le32() { var v = BinaryPrimitives.ReadInt32LittleEndian(p.AsSpan(at)); at += 4; return v; }
        byte[] Slice(int n) { var s = p[at..(at + n)]; at += n; return s; }
        while (true)
        {
            var op = (char)p[at++];
            switch (op)
            {
                case '\x80': U8(); break;                                   // PROTO
                case '.': return stack.Pop();                               // STOP
                case '(': stack.Push(new Marker()); break;                  // MARK
                case 'c':                                                   // GLOBAL module\nname\n
                    {
                        var end1 = System.Array.IndexOf(p, (byte)'\n', at);
                        var end2 = System.Array.IndexOf(p, (byte)'\n', end1 + 1);
                        stack.Push(new GlobalName(Encoding.ASCII.GetString(p, at, end1 - at) + "." + Encoding.ASCII.GetString(p, end1 + 1, end2 - end1 - 1)));
                        at = end2 + 1;
                        break;
                    }
                case 'K': stack.Push((long)U8()); break;                    // BININT1
                case 'J': stack.Push((long)Le32()); break;                  // BININT
                case 'N': stack.Push(null); break;                          // NONE
                case '\x88': stack.Push(true); break;                       // NEWTRUE
                case '\x89': stack.Push(false); break;                      // NEWFALSE
                case 'X': stack.Push(Encoding.UTF8.GetString(Slice(Le32()))); break;   // BINUNICODE
                case 'C': stack.Push(Slice(U8())); break;                   // SHORT_BINBYTES
                case 'B': stack.Push(Slice(Le32())); break;                 // BINBYTES
                case '\x85': stack.Push(new[] { stack.Pop() }); break;     // TUPLE1
                case '\x87':                                                // TUPLE3
                    {
                        var c = stack.Pop(); var b = stack.Pop(); var a = stack.Pop();
                        stack.Push(new[] { a, b, c });
                        break;
                    }
                case 't': stack.Push(UntilMark()); break;                   // TUPLE
                case ']': stack.Push(new List<object?>()); break;           // EMPTY_LIST
                case 'e':                                                   // APPENDS
                    {
                        var items = UntilMark();
                        ((List<object?>)stack.Peek()!).AddRange(items);
                        break;
                    }
                case 'a': { var item = stack.Pop(); ((List<object?>)stack.Peek()!).Add(item); break; }   // APPEND
                case 'q': memo[U8()] = stack.Peek(); break;                 // BINPUT
                case 'h': stack.Push(memo[U8()]); break;                    // BINGET
                case 'R':                                                   // REDUCE
                    {
                        var arguments = (object?[])stack.Pop()!;
                        stack.Push(new Call(((GlobalName)stack.Pop()!).Name, arguments));
                        break;
                    }
                case 'b':                                                   // BUILD
                    {
                        var state = stack.Pop();
                        stack.Push(new Built(stack.Pop(), state));
                        break;
                    }
                default: throw new InvalidDataException($"opcode 0x{(int)op:x2} at {at - 1} is outside what this test expects");
            }
        }
    }
}

/// <summary>TFRecord framing and CRC-32C (bitwise, from the polynomial) as TensorFlow's record reader checks them.</summary>
internal static class SpecTfRecord
{
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return crc ^ 0xFFFFFFFFu;
    }

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    public static List<byte[]> Records(byte[] file)
    {
        var records = new List<byte[]>();
        var at = 0;
        while (at < file.Length)
        {
            var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at)));
            Assert.Equal(Masked(file.AsSpan(at, 8)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8)));
            var data = file.AsSpan(at + 12, length);
            Assert.Equal(Masked(data), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 12 + length)));
            records.Add(data.ToArray());
            at += 12 + length + 4;
        }
        return records;
    }
}

/// <summary>Protobuf wire format (varints, length-delimited fields) and the tf.train messages DeepMind's reader uses.</summary>
internal static class SpecProto
{
    private static List<(int Field, int Wire, object Value)> Fields(byte[] message)
    {
        var fields = new List<(int, int, object)>();
        var at = 0;
        ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = message[at++];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return value;
            }
        }
        while (at < message.Length)
        {
            var tag = Varint();
            var (field, wire) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wire)
            {
                case 0: fields.Add((field, wire, Varint())); break;
                case 2:
                    {
                        var length = (int)Varint();
                        fields.Add((field, wire, message[at..(at + length)]));
                        at += length;
                        break;
                    }
                default: throw new InvalidDataException($"wire type {wire} is not used by tf.train messages");
            }
        }
        return fields;
    }

    private static byte[] Bytes(object value) => Assert.IsType<byte[]>(value);

    /// <summary>map&lt;string, T&gt;: repeated entries with key = 1, value = 2.</summary>
    private static Dictionary<string, byte[]> Map(IEnumerable<byte[]> entries) => entries.Select(Fields).ToDictionary(
        e => Encoding.UTF8.GetString(Bytes(e.Single(f => f.Field == 1).Value)), e => Bytes(e.Single(f => f.Field == 2).Value));

    /// <summary>SequenceExample: context (Features, 1) and feature_lists (FeatureLists, 2).</summary>
    public static (Dictionary<string, byte[]> Context, Dictionary<string, List<byte[]>> Lists) SequenceExample(byte[] message)
    {
        var fields = Fields(message);
        var context = Map(fields.Where(f => f.Field == 1).SelectMany(f => Fields(Bytes(f.Value))).Where(f => f.Field == 1).Select(f => Bytes(f.Value)));
        var lists = Map(fields.Where(f => f.Field == 2).SelectMany(f => Fields(Bytes(f.Value))).Where(f => f.Field == 1).Select(f => Bytes(f.Value)));
        return (context, lists.ToDictionary(l => l.Key, l => Fields(l.Value).Where(f => f.Field == 1).Select(f => Bytes(f.Value)).ToList()));
    }

    /// <summary>Feature.bytes_list (1): BytesList.value (1, repeated bytes).</summary>
    public static List<byte[]> BytesList(byte[] feature)
    {
        var list = Assert.Single(Fields(feature), f => f.Field == 1);
        return Fields(Bytes(list.Value)).Where(f => f.Field == 1).Select(f => Bytes(f.Value)).ToList();
    }

    /// <summary>Feature.int64_list (3): Int64List.value (1, repeated int64, packed or not).</summary>
    public static List<long> Int64List(byte[] feature)
    {
        var list = Assert.Single(Fields(feature), f => f.Field == 3);
        var values = new List<long>();
        foreach (var (field, wire, value) in Fields(Bytes(list.Value)).Where(f => f.Field == 1))
        {
            if (wire == 0) values.Add(unchecked((long)(ulong)value));
            else values.AddRange(Fields(PackedAsFields(Bytes(value))).Select(f => unchecked((long)(ulong)f.Value)));
        }
        return values;
    }

    /// <summary>Reads packed varints by prefixing each with a field-1 varint tag, so <see cref="Fields"/> can split them.</summary>
    private static byte[] PackedAsFields(byte[] packed)
    {
        var tagged = new List<byte>();
        var start = 0;
        for (var i = 0; i < packed.Length; i++)
        {
            if (packed[i] >= 0x80) continue;
            tagged.Add(1 << 3);
            tagged.AddRange(packed[start..(i + 1)]);
            start = i + 1;
        }
        return tagged.ToArray();
    }
}
