using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;

namespace Recipes.Stages.Datasets;

/// <summary>
/// <c>dataset: { format: learning-to-simulate }</c>: particle trajectories in the layout of "Learning to Simulate
/// Complex Physics with Graph Networks" (Sanchez-Gonzalez et al. 2020) as numpy files: per split
/// (<c>train.npz</c>, <c>valid.npz</c>, <c>test.npz</c>, split by trajectory) each trajectory's
/// <c>trajectory_ID_position</c> [steps, particles, dim] float32 and <c>trajectory_ID_particle_type</c> [particles]
/// int32; and <c>metadata.json</c> with bounds, sequence_length, default_connectivity_radius, dim, dt and the mean and
/// standard deviation of velocities (x_t − x_{t−1}) and accelerations (x_{t+1} − 2x_t + x_{t−1}) over the training
/// trajectories, per dimension. A thin adapter reads it into Python GNS code (docs/dam-break.md).
/// </summary>
public sealed class TrajectoryDatasetStage : StagePlugin
{
    public override string Name => "learning-to-simulate";
    public override string Stage => StageNames.Dataset;
    public override int Version => 1;
    public override string Summary => "Particle trajectories in the Learning to Simulate layout (npz per split, metadata.json with statistics).";

    private static readonly Setting<ValueMap> Split = Settings.Map("split", "Fractions per split, by trajectory.",
        new JsonObject { ["train"] = 0.8, ["valid"] = 0.1, ["test"] = 0.1 });
    private static readonly Setting<int> SplitSeed = Settings.Int("split_seed", "Salt of the split assignment.", 0);

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        Split,
        SplitSeed,
        new OptionSpec("connectivity_radius", OptionType.Number, "default_connectivity_radius; default 3.5 particle spacings.") { Minimum = 0 },
    ];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings) => NpyDatasetStage.SplitProblems(settings, Split);

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var splits = NpyDatasetStage.Splits(context.Settings, Split);
        var salt = SplitSeed.Read(context.Settings);
        var members = splits.ToDictionary(s => s.Name, _ => new List<(string Id, NpyArray Positions, int[] Types)>());
        JsonNode? first = null;
        foreach (var sample in context.Upstream)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = sample.SampleId ?? sample.NodeId;
            var positions = NpyFile.Read(sample.Get("positions.npy").Path);
            var types = NpyFile.ReadInt32(sample.Get("particle_type.npy").Path);
            var metadata = JsonNode.Parse(File.ReadAllText(sample.Get("metadata.json").Path))!;
            first ??= metadata;
            if (metadata["dim"]!.GetValue<int>() != first["dim"]!.GetValue<int>() || Math.Abs(metadata["dt"]!.GetValue<double>() - first["dt"]!.GetValue<double>()) > 1e-12)
                throw new PluginException($"{sample.NodeId}: trajectories of one dataset must share dim and output dt");
            members[SplitAssignment.Assign(id, splits, salt)].Add((id, positions, types));
        }
        if (first is null) throw new PluginException("no trajectories to collect");
        var dim = first["dim"]!.GetValue<int>();
        foreach (var (split, trajectories) in members)
        {
            var floats = new SortedDictionary<string, NpyArray>(StringComparer.Ordinal);
            var ints = new SortedDictionary<string, (int[] Shape, int[] Data)>(StringComparer.Ordinal);
            foreach (var (id, positions, types) in trajectories)
            {
                floats[$"trajectory_{id}_position"] = positions;
                ints[$"trajectory_{id}_particle_type"] = ([types.Length], types);
            }
            NpzFile.Write(context.OutputPath($"{split}.npz"), floats, ints);
            context.Metrics[$"{split}_trajectories"] = trajectories.Count;
        }
        var training = members.TryGetValue("train", out var train) && train.Count > 0 ? train : members.Values.SelectMany(m => m).ToList();
        var (velocityMean, velocityStd, accelerationMean, accelerationStd) = Statistics(training.Select(t => t.Positions), dim);
        var sequence = members.Values.SelectMany(m => m).Min(t => t.Positions.Shape[0]) - 1;
        var radius = context.Settings.TryGet("connectivity_radius", out var r) && r is not null
            ? context.Settings.GetDouble("connectivity_radius")
            : 3.5 * first["spacing"]!.GetValue<double>();
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
        File.WriteAllText(context.OutputPath("metadata.json"), result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return Task.CompletedTask;
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
