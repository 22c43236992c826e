using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plotting.Imaging;
using Recipes.Plotting.Plots;
using Recipes.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Recipes.Training.GraphNetworks;

/// <summary>
/// <c>evaluate</c> for <c>gns</c>: one-step position MSE (the true history in, the next position out) and rollout MSE
/// (the model fed its own predictions from the first six true positions to the end) over the held-out trajectories,
/// beside the same figures for the trivial baselines (<see cref="RolloutBaseline"/>) and the rollout's physical
/// plausibility (<see cref="RolloutScore"/>), and a PNG strip of a rollout next to the ground truth.
/// </summary>
public sealed class GnsEvaluator : TorchStagePlugin
{
    public override string Name => "gns";
    public override string Stage => StageNames.Evaluate;
    public override int Version => 7;   // 7: Sinkhorn in the log domain (finite for rollouts that leave the box)
    public override string Summary => "One-step and rollout MSE on held-out trajectories, and a rollout beside the ground truth.";

    private static readonly Setting<string> Split = Settings.Text("split", "Held-out split to evaluate on.", "test", "test", "valid", "train");

    /// <summary>Shared with the trainer's validation rollouts.</summary>
    public static Setting<bool> ClampToBox { get; } = Settings.Flag("clamp_to_box",
        "Roll out with predicted positions held inside the dataset's bounds, where the simulator that made the data holds its particles; the evaluator then also scores the model without it (model_without_clamp).", true);

    // No default, so existing recipes keep their keys; without it every particle counts, as in LagrangeBench.
    private static readonly Setting<int?> SinkhornParticles = Settings.OptionalInt("sinkhorn_particles",
        "Compare at most this many particles per cloud (every k-th) in the Sinkhorn divergence, whose cost grows with the square of the count. Default: all.", min: 16);

    // No default either: every trajectory of the split, and existing recipes keep their keys.
    private static readonly Setting<int?> Trajectories = Settings.OptionalInt("trajectories",
        "Score only the split's first this many trajectories (each costs one rollout per scored way, and LagrangeBench's windows besides). Default: all.", min: 1);

    protected override IReadOnlyList<OptionSpec> StageOptions { get; } =
        [Split, ClampToBox, SinkhornParticles, Trajectories];

    protected override Task RunTorchAsync(PluginContext context, CancellationToken cancellationToken)
    {
        Evaluate(context, cancellationToken);
        return Task.CompletedTask;
    }

    private static void Evaluate(PluginContext context, CancellationToken cancellationToken)
    {
        var trained = context.Upstream.First(u => u.Stage == StageNames.Train);
        var (dataset, metadata) = GnsTrainer.Dataset(context.Upstream);
        var config = ModelFile.Read<GnsModelDescription>(trained.Get(ModelFile.Name).Path);
        var device = TorchDevices.Resolve(context.Device);
        var clamp = ClampToBox.Read(context.Settings);
        var sinkhornParticles = SinkhornParticles.Read(context.Settings);
        var features = new GnsFeatures(metadata, config.NoiseStd) { Device = device, ClampToBox = clamp };
        using var model = new GnsModel(features.NodeFeatureCount, features.EdgeFeatureCount, metadata.Dim,
            config.LatentSize, config.MessagePassingSteps);
        model.load_safetensors(trained.Get("model.safetensors").Path);
        model.to(device);
        model.eval();

        var split = Split.Read(context.Settings);
        var trajectories = Trajectory.ReadSplit(dataset, split, metadata.Dim).Where(t => t.Steps > GnsFeatures.History + 1)
            .Take(Trajectories.Read(context.Settings) ?? int.MaxValue).ToList();
        if (trajectories.Count == 0) throw GnsFeatures.NoTrajectories(split);

        var perTrajectory = new JsonArray();
        // The model and the trivial baselines, scored on the same trajectories and horizons.
        var scores = new Dictionary<string, List<(double OneStep, RolloutScore Rollout)>>(StringComparer.Ordinal) { ["model"] = [] };
        foreach (var baseline in RolloutRules.All) scores[baseline.Name()] = [];
        float[]? shownRollout = null;
        // The box constraint (clamp_to_box) is scored both ways: "model" is the simulator as configured, and with the
        // clamp on, "model_without_clamp" shows what the network alone does (how many particles it would push out).
        var free = clamp ? new GnsFeatures(metadata, features.Noise) { Device = device } : null;
        if (free is not null) scores["model_without_clamp"] = [];
        var heldShares = new List<double>();
        // LagrangeBench's figures per predictor: MSE5/MSE20 per window, Sinkhorn and kinetic energy per trajectory.
        var benchmark = scores.Keys.ToDictionary(k => k, _ => (Windows: new List<double[]>(), Sinkhorn: new List<double>(), Energy: new List<double>()), StringComparer.Ordinal);
        void Benchmark(string predictor, float[] whole, Trajectory trajectory, Func<Trajectory, float[]> roll)
        {
            var figures = benchmark[predictor];
            figures.Sinkhorn.Add(LagrangeBenchMetrics.Sinkhorn(whole, trajectory, GnsFeatures.History, sinkhornParticles));
            figures.Energy.Add(LagrangeBenchMetrics.KineticEnergyMse(whole, trajectory, GnsFeatures.History, metadata.Dt, metadata.Dx));
            foreach (var window in LagrangeBenchMetrics.Windows(trajectory)) figures.Windows.Add(LagrangeBenchMetrics.StepMse(roll(window), window));
        }
        using (torch.no_grad())
        {
            var done = 0;
            foreach (var trajectory in trajectories)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var size = trajectory.Particles * metadata.Dim;
                var steps = trajectory.Steps - 1 - GnsFeatures.History;
                double oneStep = 0;
                for (var t = GnsFeatures.History; t < trajectory.Steps - 1; t++)
                {
                    var truthNext = trajectory.At(t + 1);
                    var next = GnsRollout.Predict(model, features, trajectory, trajectory.Window(t));
                    for (var k = 0; k < size; k++) oneStep += Math.Pow(next[k] - truthNext[k], 2);
                }
                oneStep /= (double)steps * size;
                var held = new List<int>();
                var passes = free is null ? 1 : 2;
                var predicted = GnsRollout.Roll(model, features, trajectory, held: held,
                    progress: f => context.Progress?.Report((done + f / passes) / trajectories.Count));
                heldShares.Add(held.Count == 0 ? 0 : held.Max() / (double)trajectory.Particles);
                var score = RolloutScore.Of(predicted, trajectory, GnsFeatures.History, metadata);
                perTrajectory.Add(new JsonObject { ["id"] = trajectory.Id, ["one_step_mse"] = oneStep, ["rollout_mse"] = score.RolloutMse });
                shownRollout ??= predicted;
                scores["model"].Add((oneStep, score));
                Benchmark("model", predicted, trajectory, window => GnsRollout.Roll(model, features, window));
                if (free is not null)
                {
                    var unclamped = GnsRollout.Roll(model, free, trajectory,
                        progress: f => context.Progress?.Report((done + 0.5 + f / 2) / trajectories.Count));
                    scores["model_without_clamp"].Add((oneStep, RolloutScore.Of(unclamped, trajectory, GnsFeatures.History, metadata)));
                    Benchmark("model_without_clamp", unclamped, trajectory, window => GnsRollout.Roll(model, free, window));
                }
                done++;
                foreach (var baseline in RolloutRules.All)
                {
                    double baselineOneStep = 0;
                    for (var t = GnsFeatures.History; t < trajectory.Steps - 1; t++)
                    {
                        var next = RolloutRules.OneStep(baseline, trajectory, t, metadata);
                        var truthNext = trajectory.At(t + 1);
                        for (var k = 0; k < size; k++) baselineOneStep += Math.Pow(next[k] - truthNext[k], 2);
                    }
                    var rolled = RolloutRules.Roll(baseline, trajectory, GnsFeatures.History, metadata);
                    scores[baseline.Name()].Add((baselineOneStep / ((double)steps * size), RolloutScore.Of(rolled, trajectory, GnsFeatures.History, metadata)));
                    Benchmark(baseline.Name(), rolled, trajectory, window => RolloutRules.Roll(baseline, window, GnsFeatures.History, metadata));
                }
            }
        }
        var summaries = scores.ToDictionary(s => s.Key, s => Figures(s.Value));
        foreach (var (predictor, figures) in benchmark)
        {
            summaries[predictor]["lagrangebench"] = new JsonObject
            {
                // Null where no test trajectory is long enough for one window of 6 + 20 frames.
                ["windows"] = figures.Windows.Count,
                ["mse5"] = figures.Windows.Count == 0 ? null : Finite(figures.Windows.Average(w => LagrangeBenchMetrics.Mean(w, 5))),
                ["mse20"] = figures.Windows.Count == 0 ? null : Finite(figures.Windows.Average(w => LagrangeBenchMetrics.Mean(w, LagrangeBenchMetrics.Horizon))),
                // A rollout that left every bound (a diverged model) has no finite transport cost: null, never NaN.
                ["sinkhorn"] = Finite(figures.Sinkhorn.Average()),
                ["e_kin_mse"] = Finite(figures.Energy.Average()),
            };
            // Said beside the figure only when set, so the default's metrics.json keeps its bytes.
            if (sinkhornParticles is { } thinned) summaries[predictor]["lagrangebench"]!["sinkhorn_particles"] = thinned;
        }
        var best = RolloutRules.All.Select(b => b.Name()).MinBy(name => summaries[name]["rollout_mse"]!.GetValue<double>())!;
        var bestRollout = summaries[best]["rollout_mse"]!.GetValue<double>();
        // Every figure is a mean over trajectories (each trajectory's own mean first), the model's as the baselines':
        // pooling over particles instead would weigh large scenes more and compare the model unlike the baselines.
        var oneStepMse = summaries["model"]["one_step_mse"]!.GetValue<double>();
        var rolloutMse = summaries["model"]["rollout_mse"]!.GetValue<double>();
        var metrics = new JsonObject
        {
            ["split"] = split,
            ["trajectories"] = trajectories.Count,
            ["one_step_mse"] = oneStepMse,
            ["rollout_mse"] = rolloutMse,
            ["model"] = summaries["model"],
            ["clamp_to_box"] = clamp,
            ["model_without_clamp"] = clamp ? summaries["model_without_clamp"] : null,
            ["baselines"] = new JsonObject(RolloutRules.All.Select(b => new KeyValuePair<string, JsonNode?>(b.Name(), summaries[b.Name()]))),
            ["best_baseline"] = best,
            // The largest share of particles the box had to hold at any step (mean over trajectories): how much the
            // constraint does. Zero without clamp_to_box.
            ["held_by_box_fraction"] = heldShares.Average(),
            // Above 1: the model's rollout is that many times closer to the truth than the best trivial rule's.
            ["rollout_gain_over_best_baseline"] = bestRollout / Math.Max(rolloutMse, double.Epsilon),
            ["per_trajectory"] = perTrajectory,
        };
        context.Metrics["one_step_mse"] = oneStepMse;
        context.Metrics["rollout_mse"] = rolloutMse;
        context.Metrics["best_baseline_rollout_mse"] = bestRollout;
        context.Metrics["rollout_gain_over_best_baseline"] = bestRollout / Math.Max(rolloutMse, double.Epsilon);
        context.Metrics["outside_fraction"] = summaries["model"]["outside_fraction"]!.GetValue<double>();
        var lagrangeBench = summaries["model"]["lagrangebench"]!;
        foreach (var name in new[] { "mse5", "mse20", "sinkhorn", "e_kin_mse" })
            if (lagrangeBench[name] is JsonValue value) context.Metrics[$"lagrangebench_{name}"] = value.GetValue<double>();
        if (metadata.Dx is null) metrics["lagrangebench_note"] = "e_kin_mse leaves out dx^dim: the dataset's metadata.json has no dx (files: lagrangebench or all write it)";
        File.WriteAllText(context.OutputPath("metrics.json"), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        DrawRollout(context.OutputPath("rollout.png"), metadata, trajectories[0], shownRollout!);
        DrawAnimation(context.OutputPath("rollout.gif"), metadata, trajectories[0], shownRollout!);
        DrawRolloutError(context.OutputPath("rollout_mse.png"), scores, metadata.Dt);
        if (trained.Find("loss.json") is { } loss)
        {
            var curve = JsonNode.Parse(File.ReadAllText(loss.Path))!.AsArray();
            new LineChart("One-step training loss", "step", "loss (normalized acceleration MSE)", logY: true, integerX: true)
                .Add("train", curve.Select(c => (c!["step"]!.GetValue<double>(), c["loss"]!.GetValue<double>())))
                .SavePng(context.OutputPath("loss.png"));
        }
    }

    /// <summary>
    /// Rollout MSE against time for the model and each baseline on the same axes (log scale), averaged over the
    /// held-out trajectories up to the shortest horizon.
    /// </summary>
    private static void DrawRolloutError(string path, Dictionary<string, List<(double OneStep, RolloutScore Rollout)>> scores, double dt)
    {
        var chart = new LineChart("Rollout error over the held-out horizon", "time since the last true position (s)", "position MSE (m²)", logY: true);
        foreach (var (name, runs) in scores)
        {
            var horizon = runs.Min(r => r.Rollout.MsePerStep.Length);
            chart.Add(name.Replace('_', ' '), Enumerable.Range(0, horizon).Select(h => ((h + 1) * dt, runs.Average(r => r.Rollout.MsePerStep[h]))));
        }
        chart.SavePng(path);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>Means over trajectories of one predictor's one-step and rollout figures.</summary>
    private static JsonObject Figures(List<(double OneStep, RolloutScore Rollout)> scores) => new()
    {
        ["one_step_mse"] = scores.Average(s => s.OneStep),
        ["rollout_mse"] = scores.Average(s => s.Rollout.RolloutMse),
        ["rollout_mse_at_10_percent"] = scores.Average(s => s.Rollout.MseAt10),
        ["rollout_mse_at_50_percent"] = scores.Average(s => s.Rollout.MseAt50),
        ["rollout_mse_at_100_percent"] = scores.Average(s => s.Rollout.MseAt100),
        ["outside_fraction"] = scores.Max(s => s.Rollout.OutsideFraction),
        ["density_deviation"] = scores.Average(s => s.Rollout.DensityDeviation),
        ["centre_of_mass_error"] = scores.Average(s => s.Rollout.CentreOfMassError),
        ["surge_front_error"] = scores.Average(s => s.Rollout.FrontError),
    };

    /// <summary>
    /// Ground truth (top row) and rollout (bottom row) at five moments, x–y plane, the box drawn, columns labelled with
    /// the time, each particle coloured by its type in both rows.
    /// </summary>
    private static void DrawRollout(string path, GnsMetadata metadata, Trajectory truth, float[] rollout)
    {
        const int panels = 5;
        var size = truth.Particles * metadata.Dim;
        var moments = Enumerable.Range(0, panels).Select(k => (int)((long)k * (truth.Steps - 1) / (panels - 1))).ToList();
        var grid = new FieldGrid("Rollout against ground truth (x-y plane; colour: particle type)", [.. moments.Select(t => TimeLabel(t, metadata.Dt))]) { PanelPixels = 150 };
        grid.AddRow("ground truth", [.. moments.Select(t => Panel(truth.At(t), truth, metadata))]);
        grid.AddRow("rollout", [.. moments.Select(t => Panel(rollout.AsSpan(t * size, size), truth, metadata))]);
        grid.SavePng(path);
    }

    /// <summary>The same comparison as an animation: ground truth beside the rollout, about 40 frames over the horizon.</summary>
    private static void DrawAnimation(string path, GnsMetadata metadata, Trajectory truth, float[] rollout)
    {
        var size = truth.Particles * metadata.Dim;
        var every = Math.Max(1, (truth.Steps - 1) / 40);
        var frames = new List<byte[]>();
        for (var t = 0; t < truth.Steps; t += every)
        {
            // Every frame must have the same size: the varying part (time, given or predicted) is in the title only.
            var state = t <= GnsFeatures.History ? "given history" : "predicted";
            var grid = new FieldGrid($"{TimeLabel(t, metadata.Dt)}, {state} (x-y plane; colour: particle type)", ["ground truth", "rollout"]) { PanelPixels = 150 };
            grid.AddRow("", Panel(truth.At(t), truth, metadata), Panel(rollout.AsSpan(t * size, size), truth, metadata));
            frames.Add(grid.RenderPng());
        }
        GifAnimation.Save(path, frames, TimeSpan.FromMilliseconds(120));
    }

    private static string TimeLabel(int step, double dt) => $"t = {(step * dt).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} s";

    private static GridPanel Panel(ReadOnlySpan<float> frame, Trajectory truth, GnsMetadata metadata)
    {
        var points = new (double X, double Y)[truth.Particles];
        for (var i = 0; i < truth.Particles; i++) points[i] = (frame[i * metadata.Dim], frame[i * metadata.Dim + 1]);
        return new ParticlePanel(points, (metadata.Lower[0], metadata.Lower[1]), (metadata.Upper[0], metadata.Upper[1]),
            PointColors: [.. truth.Types.Select(TypeColor)]);
    }

    /// <summary>Learning to Simulate's particle types (5 water, 6 sand, 7 goop, 3 boundary), others from a fixed palette.</summary>
    private static string TypeColor(int type) => type switch
    {
        5 => "#1f77b4",
        6 => "#d4a017",
        7 => "#2ca02c",
        3 => "#7f7f7f",
        _ => Palette[((type % Palette.Length) + Palette.Length) % Palette.Length],
    };

    private static readonly string[] Palette = ["#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
}
