using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plotting.Plots;
using static TorchSharp.torch;

namespace Recipes.Training.GraphNetworks;

/// <summary>
/// The trainer's validation: at chosen steps, the model rolled out over the first valid trajectories from their first
/// six true positions, and its rollout MSE beside constant velocity with gravity (the strongest trivial rule on
/// these datasets) over the same trajectories. The curve says when more training stops paying, which the final
/// one-step loss does not (a model can fit single steps well and still drift in rollout).
/// </summary>
public sealed class GnsValidation
{
    private readonly IReadOnlyList<Trajectory> _trajectories;

    public sealed record Point(int Step, double RolloutMse);

    public GnsValidation(UpstreamArtifacts dataset, GnsMetadata metadata, int trajectories)
    {
        var valid = Trajectory.ReadSplit(dataset, "valid", metadata.Dim).Where(t => t.Steps > GnsFeatures.History + 1).ToList();
        if (valid.Count == 0) throw new PluginException("validate_every needs a valid split with trajectories; add valid to stages.dataset.split or set validate_every: 0");
        _trajectories = valid.Take(trajectories).ToList();
        BaselineMse = _trajectories.Average(t => GnsRollout.Mse(RolloutRules.Roll(RolloutBaseline.ConstantVelocityGravity, t, GnsFeatures.History, metadata), t));
    }

    public List<Point> Points { get; } = [];

    /// <summary>Rollout MSE of constant velocity with gravity on the same trajectories.</summary>
    public double BaselineMse { get; }

    public void Record(int step, GnsModel model, GnsFeatures features)
    {
        using (no_grad())
            Points.Add(new Point(step, _trajectories.Average(t => GnsRollout.Mse(GnsRollout.Roll(model, features, t), t))));
    }

    public void Write(string jsonPath, string pngPath)
    {
        var json = new JsonObject
        {
            ["trajectories"] = new JsonArray(_trajectories.Select(t => (JsonNode?)JsonValue.Create(t.Id)).ToArray()),
            ["baseline"] = "constant_velocity_gravity",
            ["baseline_rollout_mse"] = BaselineMse,
            ["points"] = new JsonArray(Points.Select(p => (JsonNode?)new JsonObject { ["step"] = p.Step, ["rollout_mse"] = p.RolloutMse }).ToArray()),
        };
        File.WriteAllText(jsonPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        new LineChart("Validation rollout error during training", "training step", "rollout MSE (m²)", logY: true, integerX: true)
            .Add("model", Points.Select(p => ((double)p.Step, p.RolloutMse)), markers: true)
            .Level("constant velocity + gravity", BaselineMse)
            .SavePng(pngPath);
    }
}
