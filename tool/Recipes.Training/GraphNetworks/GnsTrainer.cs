using System.Globalization;
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
/// <c>train: { model: gns }</c>: a graph network simulator trained as in "Learning to Simulate Complex Physics with Graph
/// Networks": one random (trajectory, time) per step, random-walk noise on the input positions with the target adjusted
/// so the model learns to correct it, MSE of normalized accelerations, Adam with the paper's exponentially decaying
/// learning rate lr = (lr0 − lr_min)·decay^(step/decay_steps) + lr_min.
/// </summary>
public sealed class GnsTrainer : TorchStagePlugin, IResumableTrainer
{
    public override string Name => "gns";
    public override string Stage => StageNames.Train;
    public override int Version => 3;
    public override bool UsesSeed => true;
    public override string Summary => "Graph network simulator (encoder-processor-decoder, message passing over a radius graph), trained on particle trajectories.";

    private static readonly Setting<int> LatentSize = Settings.Int("latent_size", "Width of every latent vector and MLP layer.", 128, min: 4, max: 1024);
    private static readonly Setting<int> MessagePassingSteps = Settings.Int("message_passing_steps", "Interaction-network steps of the processor (M).", 10, min: 1, max: 32);
    private static readonly Setting<double> NoiseStd = Settings.Number("noise_std", "Standard deviation of the random-walk noise on input positions.", 6.7e-4, min: 0);
    private static readonly Setting<int> Steps = Settings.Int("steps", "Training steps.", 20000, min: 1);
    private static readonly Setting<int> Batch = Settings.Int("batch", "Trajectory windows per step (one graph of their disjoint union).", 2, min: 1, max: 256);
    private static readonly Setting<double> LearningRate = Settings.Number("learning_rate", "Initial learning rate lr0.", 1e-4, min: 0);
    private static readonly Setting<double> LearningRateMin = Settings.Number("learning_rate_min", "Floor of the decaying learning rate.", 1e-6, min: 0);
    private static readonly Setting<double> LrDecay = Settings.Number("lr_decay", "Decay factor reached after lr_decay_steps.", 0.1, min: 0, max: 1);
    private static readonly Setting<int> LrDecaySteps = Settings.Int("lr_decay_steps", "Steps over which the learning rate decays by lr_decay.", 5_000_000, min: 1);

    private static readonly Setting<int> ValidateEvery = Settings.Int("validate_every",
        "Every this many steps, roll the model out over the valid split and record its rollout MSE (validation.json, validation.png); 0: never.", 0, min: 0);
    private static readonly Setting<double> EmaDecay = Settings.Number("ema_decay",
        "Keep an exponential moving average of the weights with this decay per step (0.999: about the last thousand steps); validation rolls it out and it is the model saved. 0: off, the last weights.", 0, min: 0, max: 0.99999);
    // The evaluator's setting, declared here too: the trainer's validation rollouts hold the box the same way.
    private static readonly Setting<bool> ClampToBox = GnsEvaluator.ClampToBox;
    private static readonly Setting<int> ValidateTrajectories = Settings.Int("validate_trajectories", "Valid trajectories each validation rolls out (the first ones).", 2, min: 1);

    // Pushforward training (Brandstetter et al. 2022, scheduled as LagrangeBench schedules it): from step
    // pushforward_steps[i] on, a training step unrolls the model pushforward_unrolls[i] steps without gradient before
    // the step it learns from, chosen in proportion to pushforward_probs among the stages already reached. The default
    // (one stage of 0 unrolls) is plain one-step training and draws no random number for it.
    private static readonly Setting<IReadOnlyList<double>> PushforwardSteps = Settings.Numbers("pushforward_steps",
        "Training step from which each pushforward stage may be drawn (ascending, the first 0).", 0);
    private static readonly Setting<IReadOnlyList<double>> PushforwardUnrolls = Settings.Numbers("pushforward_unrolls",
        "Steps each pushforward stage unrolls the model, without gradient, before the step it learns from.", 0);
    private static readonly Setting<IReadOnlyList<double>> PushforwardProbs = Settings.Numbers("pushforward_probs",
        "Relative weight of each pushforward stage among those reached (LagrangeBench: 18, 2, 1, 1).", 1);

    protected override IReadOnlyList<OptionSpec> StageOptions { get; } =
        [LatentSize, MessagePassingSteps, NoiseStd, Steps, Batch, LearningRate, LearningRateMin, LrDecay, LrDecaySteps, ValidateEvery, ValidateTrajectories, EmaDecay, ClampToBox,
            PushforwardSteps, PushforwardUnrolls, PushforwardProbs];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        var (steps, unrolls, probs) = (PushforwardSteps.Read(settings), PushforwardUnrolls.Read(settings), PushforwardProbs.Read(settings));
        if (steps.Count != unrolls.Count || steps.Count != probs.Count)
            yield return new OptionProblem(PushforwardUnrolls.Name, $"pushforward_steps, pushforward_unrolls and pushforward_probs need one entry per stage (they have {steps.Count}, {unrolls.Count} and {probs.Count})");
        else if (steps.Count == 0 || steps[0] != 0 || steps.Zip(steps.Skip(1)).Any(p => p.Second <= p.First) || steps.Any(x => x != Math.Floor(x)))
            yield return new OptionProblem(PushforwardSteps.Name, "pushforward_steps must be whole steps in ascending order, the first 0");
        else if (unrolls.Any(u => u < 0 || u > 20 || u != Math.Floor(u)))
            yield return new OptionProblem(PushforwardUnrolls.Name, "pushforward_unrolls must be whole numbers from 0 to 20");
        else if (probs.Any(x => x < 0 || !double.IsFinite(x)) || probs[0] <= 0)
            yield return new OptionProblem(PushforwardProbs.Name, "pushforward_probs must be non-negative, the first above 0 (the stage every step can draw)");
    }

    /// <summary>The unrolls of this step: a stage drawn among those whose start is reached, by weight; 0 without pushforward.</summary>
    private static int Unrolls(int step, IReadOnlyList<double> starts, IReadOnlyList<double> unrolls, IReadOnlyList<double> weights, SeededRandom random)
    {
        if (unrolls.All(u => u == 0)) return 0;
        var reached = starts.Count(s => s <= step);
        var total = weights.Take(reached).Sum();
        var draw = random.NextDouble() * total;
        for (var i = 0; i < reached; i++)
        {
            draw -= weights[i];
            if (draw < 0) return (int)unrolls[i];
        }
        return (int)unrolls[reached - 1];
    }

    protected override Task RunTorchAsync(PluginContext context, CancellationToken cancellationToken) => Train(context, cancellationToken);

    /// <summary>The learning rate at a step depends on lr_decay_steps, not on steps: every run is a prefix of a longer one.</summary>
    public string LengthSetting => Steps.Name;

    public string? WhyNotResumable(ValueMap settings) => null;

    public static (UpstreamArtifacts Dataset, GnsMetadata Metadata) Dataset(IReadOnlyList<UpstreamArtifacts> upstream)
    {
        var shards = upstream.Where(u => u.Stage == StageNames.Dataset).ToList();
        if (shards.Count != 1) throw new PluginException($"the graph network simulator reads one dataset shard, found {shards.Count}; leave stages.dataset.shard unset");
        return (shards[0], GnsMetadata.Read(shards[0].Get("metadata.json").Path));
    }

    private static async Task Train(PluginContext context, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var feed = context.Feed ?? throw new PluginException("the trainer needs its dataset");
        var upstream = new List<UpstreamArtifacts>();
        for (var i = 0; i < feed.Count; i++) upstream.Add(await feed.WaitAsync(i, cancellationToken));
        var (dataset, metadata) = Dataset(upstream);
        var trajectories = Trajectory.ReadSplit(dataset, "train", metadata.Dim).Where(t => t.Steps > GnsFeatures.History + 1).ToList();
        if (trajectories.Count == 0) throw GnsFeatures.NoTrajectories("train");

        var random = new SeededRandom(context.Seed);
        var noise = NoiseStd.Read(s);
        var device = TorchDevices.Resolve(context.Device);
        // The clamp acts on rollouts only (the validation's here): training targets are the true next positions.
        var features = new GnsFeatures(metadata, noise) { Device = device, ClampToBox = ClampToBox.Read(s) };
        var latent = LatentSize.Read(s);
        var passes = MessagePassingSteps.Read(s);
        using var model = new GnsModel(features.NodeFeatureCount, features.EdgeFeatureCount, metadata.Dim, latent, passes);
        // Initialized on the CPU from the node's seed, then moved: the same starting weights on either device.
        model.to(device);
        context.Log.WriteLine($"training on {device.type}");
        var lr0 = LearningRate.Read(s);
        var lrMin = LearningRateMin.Read(s);
        var decay = LrDecay.Read(s);
        var decaySteps = LrDecaySteps.Read(s);
        using var optimizer = new AdamOptimizer(model.parameters(), lr0);
        var steps = Steps.Read(s);
        var batch = Batch.Read(s);
        var losses = new double[steps];
        var validateEvery = ValidateEvery.Read(s);
        var validation = validateEvery == 0 ? null : new GnsValidation(dataset, metadata, ValidateTrajectories.Read(s));
        // Averaged weights (Polyak averaging): one step's weights carry that step's gradient noise, and a rollout of
        // 100+ steps amplifies it (the validation curve of the last weights jumps several-fold between checkpoints).
        using var average = WeightAverage<GnsModel>.Create(model, EmaDecay.Read(s), () => new GnsModel(features.NodeFeatureCount, features.EdgeFeatureCount, metadata.Dim, latent, passes), device);
        var kept = average?.Model ?? model;
        var start = 0;
        if (TrainingCheckpoint.Load(context.Checkpoints, steps, context.Log) is { } resumed)
        {
            resumed.Restore("model.", model);
            optimizer.RestoreFrom(resumed, "adam.");
            if (average is not null) resumed.Restore("average.", average.Model);
            random.State = resumed.State["random"]!.GetValue<ulong>();
            resumed.Doubles("losses").CopyTo(losses, 0);
            // The run that saved it may have validated at its last step too; a longer run validates only at multiples.
            if (validation is not null && resumed.State["validation"] is JsonArray points)
                foreach (var point in points.OfType<JsonArray>())
                    if (point[0]!.GetValue<int>() % validateEvery == 0) validation.Points.Add(new GnsValidation.Point(point[0]!.GetValue<int>(), point[1]!.GetValue<double>()));
            start = (int)resumed.Step;
            context.Log.WriteLine($"resuming from step {start} (a checkpoint of a run with the same settings and inputs)");
        }
        void Save(int completed)
        {
            var checkpoint = new TrainingCheckpoint.Builder(completed).Add("model.", model).AddDoubles("losses", losses.AsSpan(0, completed).ToArray());
            optimizer.SaveTo(checkpoint, "adam.");
            if (average is not null) checkpoint.Add("average.", average.Model);
            checkpoint.State["random"] = random.State;
            if (validation is not null)
                checkpoint.State["validation"] = new JsonArray([.. validation.Points.Select(p => (JsonNode?)new JsonArray(p.Step, p.RolloutMse))]);
            checkpoint.SaveTo(context.Checkpoints);
        }
        var (pushforwardSteps, pushforwardUnrolls, pushforwardProbs) = (PushforwardSteps.Read(s), PushforwardUnrolls.Read(s), PushforwardProbs.Read(s));
        var unrolled = new SortedDictionary<int, int>();
        model.train();
        for (var step = start; step < steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            optimizer.LearningRate = (lr0 - lrMin) * Math.Pow(decay, (double)step / decaySteps) + lrMin;
            var windows = new List<(float[] Window, int Particles, int[] Types)>();
            var targets = new List<float>();
            var unroll = Unrolls(step, pushforwardSteps, pushforwardUnrolls, pushforwardProbs, random);
            if (unroll > 0) unrolled[unroll] = unrolled.GetValueOrDefault(unroll) + 1;
            for (var b = 0; b < batch; b++)
            {
                var trajectory = trajectories[random.Int(0, trajectories.Count - 1)];
                // A trajectory too short for this many unrolls unrolls what it can.
                var k = Math.Min(unroll, trajectory.Steps - 2 - GnsFeatures.History);
                var t = random.Int(GnsFeatures.History, trajectory.Steps - 2 - k);
                var (window, target) = NoisyExample(trajectory, t, features, random);
                if (k > 0) (window, target) = PushedForward(model, features, trajectory, t, k, window);
                windows.Add((window, trajectory.Particles, trajectory.Types));
                targets.AddRange(target);
            }
            using var scope = torch.NewDisposeScope();
            var graph = features.Batch(windows);
            optimizer.ZeroGrad();
            var loss = nn.functional.mse_loss(model.call(graph), tensor(targets.ToArray(), [targets.Count / metadata.Dim, metadata.Dim], device: device));
            loss.backward();
            optimizer.Step();
            average?.Update(step);
            losses[step] = loss.item<float>();
            Divergence.Check(context, losses[step], step + 1, LearningRate.Name);
            if (validation is not null && ((step + 1) % validateEvery == 0 || step + 1 == steps))
            {
                // Rollouts draw no random numbers and the model has no dropout, so validating leaves training unchanged.
                model.eval();
                validation.Record(step + 1, kept, features);
                model.train();
                context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step + 1}: validation rollout MSE {validation.Points[^1].RolloutMse:E3} m²"));
            }
            if ((step + 1) % Math.Max(1, steps / 20) == 0)
            {
                context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step + 1}/{steps}: loss {losses.Skip(Math.Max(0, step - 49)).Take(Math.Min(50, step + 1)).Average():0.00000}"));
                context.Progress?.Report((step + 1.0) / steps);
            }
            if (step + 1 < steps && context.Checkpoints?.Due() == true) Save(step + 1);
        }

        if (unrolled.Count > 0)
            context.Log.WriteLine("pushforward: " + string.Join(", ", unrolled.Select(p => $"{p.Value} steps unrolled {p.Key}")) + $" of {steps - start}");
        Divergence.CheckWeights(context, kept, LearningRate.Name);
        Save(steps);
        kept.cpu();
        kept.save_safetensors(context.OutputPath("model.safetensors"));
        kept.save(context.OutputPath("model.dat"));
        var description = new GnsModelDescription("gns", latent, passes, noise, features.NodeFeatureCount, features.EdgeFeatureCount,
            metadata.Dim, features.ClampToBox, EmaDecay.Read(s));
        await ModelFile.WriteAsync(context.OutputPath(ModelFile.Name), description, cancellationToken);
        var span = Math.Max(1, Math.Min(50, steps / 10));
        var curve = Enumerable.Range(0, (steps + span - 1) / span)
            .Select(k => (Step: (double)Math.Min(steps, (k + 1) * span), Loss: losses.Skip(k * span).Take(span).Average())).ToList();
        await File.WriteAllTextAsync(context.OutputPath("loss.json"),
            new JsonArray(curve.Select(c => (JsonNode?)new JsonObject { ["step"] = c.Step, ["loss"] = c.Loss }).ToArray()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n",
            cancellationToken);
        new LineChart("One-step training loss", "step", "loss (normalized acceleration MSE)", logY: true, integerX: true).Add("train", curve).SavePng(context.OutputPath("loss.png"));
        // The start is the untrained model's loss (the first few steps); the end, the mean over the last tenth.
        context.Metrics["first_loss"] = losses.Take(Math.Clamp(steps / 20, 1, 10)).Average();
        context.Metrics["final_loss"] = losses.Skip(steps - Math.Max(1, steps / 10)).Average();
        context.Metrics["steps"] = steps;
        if (validation is not null)
        {
            validation.Write(context.OutputPath("validation.json"), context.OutputPath("validation.png"));
            var best = validation.Points.MinBy(p => p.RolloutMse)!;
            context.Metrics["validation_rollout_mse"] = validation.Points[^1].RolloutMse;
            context.Metrics["validation_best_rollout_mse"] = best.RolloutMse;
            context.Metrics["validation_best_step"] = best.Step;
            context.Metrics["validation_baseline_rollout_mse"] = validation.BaselineMse;
        }
        context.Metrics["train_trajectories"] = trajectories.Count;
    }

    /// <summary>
    /// The pushforward example: the model, without gradient, rolls <paramref name="unrolls"/> steps from the noisy window
    /// ending at <paramref name="t"/>; the window it learns from holds its own predictions last, and the target is the
    /// normalized acceleration that takes those predictions to the true position at t + unrolls + 1 — so the model
    /// learns to correct the drift of its own rollouts (Brandstetter et al. 2022; LagrangeBench's push_forward).
    /// </summary>
    private static (float[] Window, float[] Target) PushedForward(GnsModel model, GnsFeatures features, Trajectory trajectory, int t, int unrolls, float[] window)
    {
        var size = trajectory.Particles * features.Dim;
        using (torch.no_grad())
            for (var u = 0; u < unrolls; u++)
            {
                var next = GnsRollout.Predict(model, features, trajectory, window);
                var shifted = new float[window.Length];
                window.AsSpan(size).CopyTo(shifted);
                next.CopyTo(shifted.AsSpan(GnsFeatures.History * size));
                window = shifted;
            }
        var target = features.NormalizedAcceleration(trajectory.At(t + unrolls + 1), window.AsSpan(GnsFeatures.History * size, size),
            window.AsSpan((GnsFeatures.History - 1) * size, size), trajectory.Particles);
        return (window, target);
    }

    /// <summary>
    /// A window of History+1 noisy positions ending at t (random-walk noise: velocity noise of deviation noise/√History
    /// per step, integrated) and the normalized target acceleration towards x_{t+1} plus the last position's noise.
    /// </summary>
    public static (float[] Window, float[] Target) NoisyExample(Trajectory trajectory, int t, GnsFeatures features, SeededRandom random)
    {
        var dim = features.Dim;
        var particles = trajectory.Particles;
        var window = trajectory.Window(t);
        var size = particles * dim;
        var velocityNoise = features.Noise / Math.Sqrt(GnsFeatures.History);
        var accumulated = new double[size];
        for (var s = 1; s <= GnsFeatures.History; s++)
            for (var k = 0; k < size; k++)
            {
                accumulated[k] += velocityNoise * Gaussian(random);
                window[s * size + k] += (float)accumulated[k];
            }
        var next = trajectory.At(t + 1).ToArray();
        for (var k = 0; k < size; k++) next[k] += (float)accumulated[k];
        var target = features.NormalizedAcceleration(next, window.AsSpan(GnsFeatures.History * size, size), window.AsSpan((GnsFeatures.History - 1) * size, size), particles);
        return (window, target);
    }

    private static double Gaussian(SeededRandom random)
    {
        var u1 = Math.Max(random.NextDouble(), 1e-300);
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
