using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;

namespace Recipes.Stages.Datasets;

/// <summary>
/// <c>dataset: { format: learning-to-simulate }</c>: particle trajectories as the graph network simulators of "Learning
/// to Simulate Complex Physics with Graph Networks" (Sanchez-Gonzalez et al. 2020) read them, split by trajectory
/// (no requested split is left empty), with <c>metadata.json</c>: bounds, sequence_length, default_connectivity_radius,
/// dim, dt and the per-dimension mean and standard deviation of velocities (x_t − x_{t−1}) and accelerations
/// (x_{t+1} − 2x_t + x_{t−1}) over the training trajectories.
/// <list type="bullet">
/// <item><c>files: npz</c> (default): <c>train.npz</c>, <c>valid.npz</c>, <c>test.npz</c> in the layout of the
/// <c>gns</c> package (geoelements/gns <c>data_loader.py</c>): one member <c>trajectory_ID</c> per trajectory, a numpy
/// object array of two items, positions [steps, particles, dim] float32 and particle types [particles] int64, as
/// <c>np.savez</c> writes a (positions, particle_type) pair. Loads with <c>np.load(path, allow_pickle=True)</c>.</item>
/// <item><c>files: tfrecord</c>: <c>train.tfrecord</c>, <c>valid.tfrecord</c>, <c>test.tfrecord</c> as DeepMind's
/// <c>learning_to_simulate/reading_utils.py</c> parses them: one SequenceExample per trajectory with context
/// <c>key</c> (int64, index in the split) and <c>particle_type</c> (one bytes value: int64 little-endian), and the
/// feature list <c>position</c> with one bytes value per step (float32 [particles, dim]). That reader reshapes to
/// sequence_length + 1 steps, so each trajectory is cut to that many (the shortest one's length).</item>
/// <item><c>files: both</c>: both sets.</item>
/// <item><c>files: lagrangebench</c>: <c>train.h5</c>, <c>valid.h5</c>, <c>test.h5</c> as LagrangeBench's <c>H5Dataset</c>
/// reads them (<see cref="LagrangeBenchFile"/>), and metadata.json gains the fields its case setup and metrics read:
/// <c>num_particles_max</c>, <c>periodic_boundary_conditions</c>, <c>dx</c> (the particle spacing) and
/// <c>write_every</c> (1: <c>dt</c> already is the time between frames). <c>files: all</c>: npz, tfrecord and h5.</item>
/// </list>
/// Within a split trajectories are in ordinal order of their ids in every file.
/// </summary>
public sealed class TrajectoryDatasetStage : StagePlugin
{
    public override string Name => "learning-to-simulate";
    public override string Stage => StageNames.Dataset;
    public override int Version => 2;
    public override string Summary => "Particle trajectories for graph network simulators (gns npz, DeepMind TFRecord and/or LagrangeBench HDF5 per split, metadata.json with statistics).";

    private static readonly Setting<ValueMap> Split = Settings.Map("split", "Fractions per split, by trajectory.",
        new JsonObject { ["train"] = 0.8, ["valid"] = 0.1, ["test"] = 0.1 });
    private static readonly Setting<int> SplitSeed = Settings.Int("split_seed", "Salt of the split assignment.", 0);
    private static readonly Setting<string> Files = Settings.Text("files",
        "What to write per split: npz (the gns package's layout), tfrecord (DeepMind's learning_to_simulate reader), both, lagrangebench (LagrangeBench's HDF5 layout) or all.",
        "npz", "npz", "tfrecord", "both", "lagrangebench", "all");

    private static readonly Setting<double?> ConnectivityRadius = Settings.OptionalNumber("connectivity_radius", "default_connectivity_radius; default 3.5 particle spacings.", min: 0);

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        Split,
        SplitSeed,
        Files,
        ConnectivityRadius,
    ];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings) => NpyDatasetStage.SplitProblems(settings, Split);

    /// <summary>One collected trajectory: positions [steps, particles, dim] and per-particle types.</summary>
    /// <summary>The fields of a sample's metadata.json this stage reads, each of its type (dim 2 or 3, finite dt and spacing).</summary>
    private static bool CheckMetadata(JsonObject metadata)
    {
        const string source = "metadata.json";
        _ = Reading.JsonFields.Integer(metadata, "dim", source, 2, 3) ?? throw new PluginException("dim is missing");
        _ = Reading.JsonFields.Number(metadata, "dt", source) ?? throw new PluginException("dt is missing");
        _ = Reading.JsonFields.Number(metadata, "spacing", source);
        return true;
    }

    private sealed record Member(string Id, NpyArray Positions, int[] Types);

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var splits = NpyDatasetStage.Splits(context.Settings, Split);
        var salt = SplitSeed.Read(context.Settings);
        var files = Files.Read(context.Settings);
        var collected = new List<Member>();
        JsonNode? first = null;
        foreach (var sample in context.Upstream)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = sample.SampleId ?? sample.NodeId;
            var positions = Reading.SampleInput.Read(sample, sample.Get("positions.npy"), NpyFile.Read);
            var types = Reading.SampleInput.Read(sample, sample.Get("particle_type.npy"), NpyFile.ReadInt32);
            var metadataFile = sample.Get("metadata.json");
            var metadata = Reading.SampleInput.Object(sample, metadataFile);
            // Typed before use: a missing or wrong-typed field fails the node naming the sample, never a cast exception.
            Reading.SampleInput.Read(sample, metadataFile, _ => CheckMetadata(metadata));
            first ??= metadata;
            if (metadata["dim"]!.GetValue<int>() != first["dim"]!.GetValue<int>() || Math.Abs(metadata["dt"]!.GetValue<double>() - first["dt"]!.GetValue<double>()) > 1e-12)
                throw new PluginException($"{sample.NodeId}: trajectories of one dataset must share dim and output dt");
            collected.Add(new Member(id, positions, types));
        }
        if (first is null) throw new PluginException("no trajectories to collect");
        var assigned = SplitAssignment.AssignAll(collected.Select(m => m.Id).Distinct().ToList(), splits, salt, "trajectory", "trajectories");
        var members = splits.ToDictionary(s => s.Name, s => collected.Where(m => assigned[m.Id] == s.Name).OrderBy(m => m.Id, StringComparer.Ordinal).ToList());
        var dim = first["dim"]!.GetValue<int>();
        var sequence = collected.Min(t => t.Positions.Shape[0]) - 1;
        foreach (var (split, trajectories) in members)
        {
            context.Metrics[$"{split}_trajectories"] = trajectories.Count;
            if (trajectories.Count == 0) continue; // only a split asked with fraction 0; gns cannot open an empty file anyway
            if (files is "npz" or "both" or "all")
                NpzFile.WriteObjects(context.OutputPath($"{split}.npz"), trajectories.ToDictionary(t => $"trajectory_{t.Id}",
                    t => (IReadOnlyList<PickledArray>)[PickledArray.Of(t.Positions), PickledArray.OfInt64(t.Types.Select(x => (long)x).ToArray())]));
            if (files is "lagrangebench" or "all")
                LagrangeBenchFile.Write(context.OutputPath($"{split}.h5"), trajectories.Select(t => (t.Id, t.Positions, t.Types)).ToList());
            if (files is "tfrecord" or "both" or "all")
                TfRecordFile.Write(context.OutputPath($"{split}.tfrecord"), trajectories.Select((t, k) => SequenceExample(k, t, sequence + 1)));
        }
        if ((files is "tfrecord" or "both" or "all") && collected.Any(t => t.Positions.Shape[0] > sequence + 1))
            context.Log.WriteLine($"trajectories cut to {sequence + 1} steps in the .tfrecord files (DeepMind's reader needs equal lengths)");
        var training = members.TryGetValue("train", out var train) && train.Count > 0 ? train : collected;
        var (velocityMean, velocityStd, accelerationMean, accelerationStd) = Statistics(training.Select(t => t.Positions), dim);
        var radius = ConnectivityRadius.Read(context.Settings) ?? 3.5 * first["spacing"]!.GetValue<double>();
        var result = new JsonObject
        {
            ["bounds"] = first["bounds"]!.DeepClone(),
            ["sequence_length"] = sequence,
            ["default_connectivity_radius"] = radius,
            ["dim"] = dim,
            ["dt"] = first["dt"]!.GetValue<double>(),
            ["vel_mean"] = Array(velocityMean),
            ["vel_std"] = Array(velocityStd),
            ["acc_mean"] = Array(accelerationMean),
            ["acc_std"] = Array(accelerationStd),
            ["splits"] = new JsonObject(members.Select(m => new KeyValuePair<string, JsonNode?>(m.Key,
                new JsonArray(m.Value.Select(t => (JsonNode?)JsonValue.Create(t.Id)).ToArray())))),
        };
        if (files is "lagrangebench" or "all")
        {
            // What LagrangeBench's case setup and metrics read beyond the fields above; only here, so the bytes (and the
            // keys downstream) of datasets written without h5 files stay as they were.
            result["num_particles_max"] = collected.Max(t => t.Positions.Shape[1]);
            result["periodic_boundary_conditions"] = new JsonArray(Enumerable.Repeat(false, dim).Select(b => (JsonNode?)JsonValue.Create(b)).ToArray());
            if (first["spacing"] is JsonValue spacing) result["dx"] = spacing.GetValue<double>();
            result["write_every"] = 1;
        }
        File.WriteAllText(context.OutputPath("metadata.json"), result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return Task.CompletedTask;
    }

    /// <summary>One trajectory as a tf.train.SequenceExample, its first <paramref name="steps"/> steps.</summary>
    private static byte[] SequenceExample(int key, Member trajectory, int steps)
    {
        var stepValues = trajectory.Positions.Shape[1] * trajectory.Positions.Shape[2];
        var positions = Enumerable.Range(0, steps)
            .Select(t => TfExample.BytesFeature(MemoryMarshal.AsBytes(trajectory.Positions.Data.AsSpan(t * stepValues, stepValues)).ToArray()))
            .ToList();
        var types = trajectory.Types.Select(x => (long)x).ToArray();
        return TfExample.SequenceExample(
            [("key", TfExample.Int64Feature(key)), ("particle_type", TfExample.BytesFeature(MemoryMarshal.AsBytes(types.AsSpan()).ToArray()))],
            [("position", positions)]);
    }

    private static JsonArray Array(double[] values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>Per-dimension mean and standard deviation of finite-difference velocities and accelerations, in double precision.</summary>
    public static (double[] VelocityMean, double[] VelocityStd, double[] AccelerationMean, double[] AccelerationStd) Statistics(IEnumerable<NpyArray> trajectories, int dim)
    {
        var vSum = new double[dim];
        var vSquares = new double[dim];
        var aSum = new double[dim];
        var aSquares = new double[dim];
        long vCount = 0, aCount = 0;
        foreach (var positions in trajectories)
        {
            var (steps, particles) = (positions.Shape[0], positions.Shape[1]);
            var x = positions.Data;
            for (var t = 1; t < steps; t++)
                for (var i = 0; i < particles; i++)
                {
                    for (var d = 0; d < dim; d++)
                    {
                        var now = x[(t * particles + i) * dim + d];
                        var before = x[((t - 1) * particles + i) * dim + d];
                        var v = (double)now - before;
                        vSum[d] += v;
                        vSquares[d] += v * v;
                        if (t + 1 < steps)
                        {
                            var after = x[((t + 1) * particles + i) * dim + d];
                            var a = (double)after - 2.0 * now + before;
                            aSum[d] += a;
                            aSquares[d] += a * a;
                        }
                    }
                    vCount++;
                    if (t + 1 < steps) aCount++;
                }
        }
        double[] Mean(double[] sum, long count) => sum.Select(s => s / Math.Max(1, count)).ToArray();
        double[] Std(double[] sum, double[] squares, long count) =>
            sum.Select((s, d) => Math.Sqrt(Math.Max(0, squares[d] / Math.Max(1, count) - s / Math.Max(1, count) * (s / Math.Max(1, count))))).ToArray();
        return (Mean(vSum, vCount), Std(vSum, vSquares, vCount), Mean(aSum, aCount), Std(aSum, aSquares, aCount));
    }
}
