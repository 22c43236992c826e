using Recipes.Training;
using System.Globalization;
using Recipes.Plugins;
using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training.Diffusion;

/// <summary>
/// Trains the KL autoencoder: per-pixel MSE of the reconstruction from a sampled latent plus a small KL term toward
/// N(0, I), Adam. Afterwards the latents' scale is measured (1 / standard deviation of the encoded means over the
/// training images), so that latent diffusion sees unit-variance data, as latent diffusion models do.
/// </summary>
public static class AutoencoderTraining
{
    public sealed record Settings(int Channels, int Levels, int LatentChannels, double KlWeight, int Steps, double LearningRate, int Batch, string Prefix);

    public static (Autoencoder Model, List<(int Step, double Loss)> Curve, double Scale) Train(ImageDataset data, Settings settings, SeededRandom random,
        PluginContext context, double progressFrom, double progressTo, CancellationToken cancellationToken, TrainingResume? resume = null)
    {
        resume ??= TrainingResume.None;
        if (data.Size % (1 << settings.Levels) != 0)
            throw new PluginException($"the images are {data.Size}x{data.Size}, not divisible by the autoencoder's downsampling {1 << settings.Levels}");
        var model = new Autoencoder(1, settings.Channels, settings.Levels, settings.LatentChannels);
        using var optimizer = new AdamOptimizer(model.parameters(), settings.LearningRate);
        var losses = new double[settings.Steps];
        var order = DenoiserTraining.Shuffled(data.Count, random);
        var cursor = 0;
        var start = 0;
        if (resume.From is { } from)
        {
            from.Restore("autoencoder.model.", model);
            optimizer.RestoreFrom(from, "autoencoder.adam.");
            from.RestoreTorchGenerator();
            random.State = from.State["random"]!.GetValue<ulong>();
            order = from.Longs("autoencoder.order");
            cursor = from.State["cursor"]!.GetValue<int>();
            from.Doubles("autoencoder.losses").CopyTo(losses, 0);
            start = (int)from.Step;
            context.Log.WriteLine($"resuming from step {start} (a checkpoint of a run with the same settings and inputs)");
        }
        void Save(int completed)
        {
            if (resume.Store is null) return;
            var checkpoint = new TrainingCheckpoint.Builder(completed).Add("autoencoder.model.", model)
                .AddDoubles("autoencoder.losses", losses.AsSpan(0, completed).ToArray()).AddTorchGenerator();
            using (var orderTensor = tensor(order)) checkpoint.Add("autoencoder.order", orderTensor);
            optimizer.SaveTo(checkpoint, "autoencoder.adam.");
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
            using var held = new HeldScalars();
            var rows = new int[Math.Min(settings.Batch, data.Count)];
            for (var k = 0; k < rows.Length; k++)
            {
                if (cursor == data.Count) (order, cursor) = (DenoiserTraining.Shuffled(data.Count, random), 0);
                rows[k] = (int)order[cursor++];
            }
            var x = data.ImageBatch(rows);
            var (mean, logVariance) = model.Encode(x);
            var z = HeldScalars.Sum(mean, (held[0.5] * logVariance).exp() * randn_like(mean));
            var reconstruction = nn.functional.mse_loss(model.Decode(z), x);
            var kl = held[-0.5] * (held.Plus(logVariance, 1) - mean.pow(held[2]) - logVariance.exp()).mean();
            var loss = HeldScalars.Sum(reconstruction, held[settings.KlWeight] * kl);
            optimizer.ZeroGrad();
            loss.backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.Step();
            var value = reconstruction.item<float>();
            Divergence.Check(context, loss.item<float>(), step, $"{settings.Prefix}learning_rate", "the autoencoder's training");
            losses[step - 1] = value;
            if (step % logEvery == 0 || step == settings.Steps)
            {
                context.Progress?.Report(progressFrom + (progressTo - progressFrom) * step / settings.Steps);
                if (step % (logEvery * 10) == 0 || step == settings.Steps)
                    context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"autoencoder step {step}/{settings.Steps}: reconstruction MSE {losses.Skip(step - logEvery).Take(logEvery).Average():0.000000}"));
            }
            if (step < settings.Steps && resume.Store?.Due() == true) Save(step);
        }
        Divergence.CheckWeights(context, model, $"{settings.Prefix}learning_rate", "the autoencoder's training");
        Save(settings.Steps);
        model.eval();
        using var latents = Encode(model, data, 1.0);
        var scale = 1.0 / Math.Max(1e-6, latents.std().item<float>());
        return (model, TrainingResume.Curve(losses, settings.Steps), scale);
    }

    /// <summary>The scaled latent means of every image of a split, [N, latentChannels, h, w].</summary>
    public static Tensor Encode(Autoencoder model, ImageDataset data, double scale)
    {
        using var grad = no_grad();
        // The batches and their means live in the scope while libtorch reads them; only the result leaves it.
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var parts = new List<Tensor>();
        for (var start = 0; start < data.Count; start += 64)
        {
            var rows = Enumerable.Range(start, Math.Min(64, data.Count - start)).ToList();
            parts.Add(model.Encode(data.ImageBatch(rows)).Mean * held[scale]);
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    public static AutoencoderDescription Describe(Settings settings, double scale, int size) =>
        new(settings.Channels, settings.Levels, settings.LatentChannels, settings.KlWeight, scale, size);

    public static Autoencoder From(AutoencoderDescription description) =>
        new(1, description.Channels, description.Levels, description.LatentChannels);
}
