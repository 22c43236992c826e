using Recipes.Training;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plotting.Imaging;
using Recipes.Plotting.Plots;
using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training.Diffusion;

/// <summary>
/// The training loop shared by pixel and latent diffusion: ε-prediction with MSE at uniformly drawn timesteps, Adam,
/// gradient-norm clipping at 1, an exponential moving average of the weights (with the usual warm-up
/// min(decay, (1+k)/(10+k)) so short runs are not dominated by the initialization), and for conditional models the
/// condition dropped (zeroed) with probability <see cref="Settings.ConditionDropout"/> for classifier-free guidance.
/// Batches, timesteps and drops come from a seeded generator, noise from libtorch's seeded one: the same seed and
/// thread count give the same weights on a CPU.
/// </summary>
public static class DenoiserTraining
{
    public sealed record Settings(int Steps, int Batch, double LearningRate, double EmaDecay, double ConditionDropout);

    public static List<(int Step, double Loss)> Train(DiffusionUNet model, DiffusionUNet ema, DiffusionSchedule schedule, Tensor data, Tensor? conditions,
        Settings settings, SeededRandom random, PluginContext context, double progressFrom, double progressTo, CancellationToken cancellationToken,
        TrainingResume? resume = null)
    {
        resume ??= TrainingResume.None;
        var count = (int)data.shape[0];
        using var optimizer = new AdamOptimizer(model.parameters(), settings.LearningRate);
        var losses = new double[settings.Steps];
        var order = Shuffled(count, random);
        var cursor = 0;
        var start = 0;
        if (resume.From is { } from)
        {
            from.Restore("denoiser.model.", model);
            from.Restore("denoiser.ema.", ema);
            optimizer.RestoreFrom(from, "denoiser.adam.");
            from.RestoreTorchGenerator();
            random.State = from.State["random"]!.GetValue<ulong>();
            order = from.Longs("denoiser.order");
            cursor = from.State["cursor"]!.GetValue<int>();
            from.Doubles("denoiser.losses").CopyTo(losses, 0);
            start = (int)from.Step;
            context.Log.WriteLine($"resuming from step {start} (a checkpoint of a run with the same settings and inputs)");
        }
        else ema.load_state_dict(model.state_dict());
        void Save(int completed)
        {
            if (resume.Store is null) return;
            var checkpoint = new TrainingCheckpoint.Builder(completed).Add("denoiser.model.", model).Add("denoiser.ema.", ema)
                .AddDoubles("denoiser.losses", losses.AsSpan(0, completed).ToArray()).AddTorchGenerator();
            using (var orderTensor = tensor(order)) checkpoint.Add("denoiser.order", orderTensor);
            optimizer.SaveTo(checkpoint, "denoiser.adam.");
            checkpoint.State["random"] = random.State;
            checkpoint.State["cursor"] = cursor;
            resume.AddExtra?.Invoke(checkpoint);
            checkpoint.SaveTo(resume.Store);
        }
        var logEvery = Math.Max(1, settings.Steps / 50);
        model.train();
        for (var step = start + 1; step <= settings.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var rows = new long[Math.Min(settings.Batch, count)];
            for (var k = 0; k < rows.Length; k++)
            {
                if (cursor == count) (order, cursor) = (Shuffled(count, random), 0);
                rows[k] = order[cursor++];
            }
            var index = tensor(rows);
            var x0 = data.index_select(0, index);
            var t = tensor(rows.Select(_ => (long)random.Int(0, schedule.Timesteps - 1)).ToArray());
            var noise = randn_like(x0);
            Tensor? condition = null;
            if (conditions is not null)
            {
                var keep = tensor(rows.Select(_ => random.NextDouble() < settings.ConditionDropout ? 0f : 1f).ToArray()).unsqueeze(1);
                condition = conditions.index_select(0, index) * keep;
            }
            optimizer.ZeroGrad();
            var loss = nn.functional.mse_loss(model.call(schedule.Noised(x0, t, noise), t, condition), noise);
            loss.backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.Step();
            UpdateAverage(model, ema, Math.Min(settings.EmaDecay, (1.0 + step) / (10.0 + step)));
            var value = loss.item<float>();
            Divergence.Check(context, value, step, "learning_rate", "the denoiser's training");
            losses[step - 1] = value;
            if (step % logEvery == 0 || step == settings.Steps)
            {
                context.Progress?.Report(progressFrom + (progressTo - progressFrom) * step / settings.Steps);
                if (step % (logEvery * 10) == 0 || step == settings.Steps)
                    context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"diffusion step {step}/{settings.Steps}: loss {losses.Skip(step - logEvery).Take(logEvery).Average():0.00000}"));
            }
            if (step < settings.Steps && resume.Store?.Due() == true) Save(step);
        }
        Divergence.CheckWeights(context, ema, "learning_rate", "the denoiser's training");
        Save(settings.Steps);
        ema.eval();
        return TrainingResume.Curve(losses, settings.Steps);
    }

    public static void UpdateAverage(nn.Module model, nn.Module average, double decay)
    {
        using var grad = no_grad();
        var source = model.parameters().ToArray();
        var target = average.parameters().ToArray();
        // Scalars held for the whole loop: see HeldScalars for why implicit ones are unsafe here.
        using var keep = decay.ToScalar();
        using var blend = (1 - decay).ToScalar();
        for (var k = 0; k < source.Length; k++) target[k].mul_(keep).add_(source[k], blend);
    }

    public static long[] Shuffled(int count, SeededRandom random)
    {
        var order = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(random.NextBits() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Writes loss.json (every curve by name) and loss.png (log scale).</summary>
    public static void SaveCurves(PluginContext context, IReadOnlyList<(string Name, List<(int Step, double Loss)> Curve)> curves)
    {
        var json = new JsonObject();
        foreach (var (name, curve) in curves)
            json[name] = new JsonArray(curve.Select(p => (JsonNode?)new JsonObject { ["step"] = p.Step, ["loss"] = p.Loss }).ToArray());
        File.WriteAllText(context.OutputPath("loss.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var plot = new LineChart("Training loss", "step", "loss", logY: true, integerX: true);
        foreach (var (name, curve) in curves) plot.Add(name, curve.Select(p => ((double)p.Step, p.Loss)));
        plot.SavePng(context.OutputPath("loss.png"));
        foreach (var (name, curve) in curves.Where(c => c.Curve.Count > 0))
        {
            context.Metrics[$"{name}_first_loss"] = curve[0].Loss;
            context.Metrics[$"{name}_final_loss"] = curve[^1].Loss;
        }
    }
}
