using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plotting.Imaging;
using Recipes.Plotting.Plots;
using Recipes.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Recipes.Training.Diffusion;

/// <summary>
/// <c>evaluate: { evaluator: diffusion }</c> for <c>ddpm</c>, <c>vae</c> and <c>latent-ddpm</c>, with metrics that need
/// no downloaded network. Generative models sample (DDIM or DDPM, with classifier-free guidance for conditional ones)
/// as many images as the test split holds, and are compared with the held-out real images by intensity-histogram
/// distance, mean-density error and the W1 distance of per-image mean densities, next to the same figures for uniform
/// noise images. The autoencoder reports its reconstruction error against the mean training image. A conditional
/// model samples for each test image's parameters, and a small CNN trained on real images reads the parameters back:
/// its error and correlation on generated images against those on real ones say whether the condition is followed.
/// Writes <c>metrics.json</c> and <c>samples.png</c> (real images above generated or reconstructed ones).
/// </summary>
public sealed class DiffusionEvaluator : TorchStagePlugin
{
    public override string Name => "diffusion";
    public override string Stage => StageNames.Evaluate;
    public override int Version => 3;
    public override bool UsesSeed => true;
    public override string Summary => "Samples from ddpm / latent-ddpm (DDIM or DDPM, guidance) or reconstructs with vae; histogram, density and parameter-recovery metrics; image grid.";

    private static readonly Setting<string> Sampler = Settings.Text("sampler", "ddim (deterministic, sampling_steps steps) or ddpm (ancestral, all T steps).", "ddim", "ddim", "ddpm");
    private static readonly Setting<int> SamplingSteps = Settings.Int("sampling_steps", "DDIM steps.", 50, min: 1);
    private static readonly Setting<double> Guidance = Settings.Number("guidance", "Classifier-free guidance scale w for conditional models (1: plain conditional).", 3.0, min: 0);
    private static readonly Setting<int> Samples = Settings.Int("samples", "Images to generate (0: as many as the test split).", 0, min: 0);
    private static readonly Setting<int> Batch = Settings.Int("batch", "Images sampled per batch.", 64, min: 1);
    private static readonly Setting<int> RegressorSteps = Settings.Int("regressor_steps", "Training steps of the parameter regressor (conditional models).", 800, min: 1);
    private static readonly Setting<double> RegressorLearningRate = Settings.Number("regressor_learning_rate", "Adam's learning rate for the parameter regressor.", 2e-3, min: 0);
    private static readonly Setting<int> HistogramBins = Settings.Int("histogram_bins", "Bins of the intensity histograms.", 32, min: 2);
    private static readonly Setting<int> Grid = Settings.Int("grid", "Images per row of samples.png.", 8, min: 1, max: 64);

    protected override IReadOnlyList<OptionSpec> StageOptions { get; } =
        [Sampler, SamplingSteps, Guidance, Samples, Batch, RegressorSteps, RegressorLearningRate, HistogramBins, Grid];

    protected override Task RunTorchAsync(PluginContext context, CancellationToken cancellationToken) => Evaluate(context, cancellationToken);

    private static async Task Evaluate(PluginContext context, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var trained = context.Upstream.FirstOrDefault(u => u.Stage == StageNames.Train) ?? throw new PluginException("the evaluator needs the trained model");
        var config = ModelFile.Read<DiffusionModelDescription>(trained.Get(ModelFile.Name).Path);
        var kind = config.Model;
        var test = ImageDataset.Read(context.Upstream, "test");
        if (test.Count == 0) throw new PluginException("the test split is empty; add samples or raise dataset.split.test");
        var metrics = new JsonObject { ["model"] = kind, ["test_images"] = test.Count };
        var bins = HistogramBins.Read(s);
        float[] shown;
        int shownCount;

        switch (kind)
        {
            case DiffusionModelDescription.Vae:
            {
                using var vae = AutoencoderTraining.From(config.RequireAutoencoder(trained.NodeId));
                vae.load_safetensors(trained.Get("vae.safetensors").Path);
                vae.eval();
                shown = Reconstruct(vae, test);
                shownCount = test.Count;
                AddReconstruction(metrics, shown, test, ImageDataset.Read(context.Upstream, "train"));
                metrics["histogram_distance"] = ImageMetrics.HistogramDistance(shown, test.Images, bins);
                break;
            }
            case DiffusionModelDescription.Ddpm or DiffusionModelDescription.LatentDdpm:
            {
                var latent = kind == DiffusionModelDescription.LatentDdpm;
                var names = latent ? config.Conditions?.ToList() ?? [] : [];
                var described = config.RequireDenoiser(trained.NodeId);
                using var denoiser = DiffusionOptions.DenoiserFrom(described, names.Count);
                denoiser.load_safetensors(trained.Get("model.safetensors").Path);
                denoiser.eval();
                var schedule = DiffusionOptions.ScheduleFrom(described);
                using var vae = latent ? AutoencoderTraining.From(config.RequireAutoencoder(trained.NodeId)) : null;
                var scale = 1.0;
                if (vae is not null)
                {
                    vae.load_safetensors(trained.Get("vae.safetensors").Path);
                    vae.eval();
                    scale = config.RequireAutoencoder(trained.NodeId).LatentScale;
                }
                var count = Samples.Read(s) is > 0 and var n ? n : test.Count;
                // Conditional samples ask for the test images' parameters, in order (cycling when more are asked for).
                var rows = Enumerable.Range(0, count).Select(k => k % test.Count).ToList();
                double[]? minimum = null, maximum = null;
                if (names.Count > 0)
                {
                    minimum = [.. config.Minimum ?? []];
                    maximum = [.. config.Maximum ?? []];
                    if (minimum.Length != names.Count || maximum.Length != names.Count)
                        throw new PluginException($"{trained.NodeId}'s model.json names {names.Count} conditions but gives {minimum.Length} minima and {maximum.Length} maxima; retrain with this version of the tool");
                }
                // Held here to the end, so it outlives the last native call that reads it.
                using var conditions = minimum is null ? null : test.ConditionBatch(rows, minimum, maximum!);
                var guidance = Guidance.Read(s);
                shown = Generate(denoiser, schedule, described, count, conditions, guidance, s, vae, scale, context.Progress, cancellationToken);
                shownCount = count;
                AddDistances(metrics, shown, test, bins, context.Seed);
                metrics["sampler"] = Sampler.Read(s);
                metrics["sampling_steps"] = Sampler.Read(s) == "ddim" ? SamplingSteps.Read(s) : schedule.Timesteps;
                if (vae is not null) AddReconstruction(metrics, Reconstruct(vae, test), test, null);
                if (names.Count > 0)
                {
                    metrics["guidance"] = guidance;
                    metrics["conditions"] = Recovery(context, test, ImageDataset.Read(context.Upstream, "train"), shown, rows, minimum!, maximum!,
                        new SeededRandom(context.Seed ^ 0x5EED), cancellationToken);
                }
                break;
            }
            default:
                throw new PluginException($"the diffusion evaluator does not know model '{kind}'");
        }

        SavePicture(context.OutputPath("samples.png"), test, shown, shownCount, Grid.Read(s));
        await File.WriteAllTextAsync(context.OutputPath("metrics.json"), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
        foreach (var (key, value) in metrics)
            if (value is JsonValue) context.Metrics[key] = value.DeepClone();
        context.Log.WriteLine(metrics.ToJsonString());
    }

    private static float[] Generate(DiffusionUNet denoiser, DiffusionSchedule schedule, DenoiserDescription described, int count, Tensor? conditions, double guidance,
        ValueMap s, Autoencoder? vae, double scale, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var channels = described.ImageChannels;
        var size = described.Size;
        var batch = Batch.Read(s);
        var parts = new List<float>();
        DiffusionSchedule.Predictor predict = (x, t, c) => denoiser.call(x, t, c);
        for (var start = 0; start < count; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var take = Math.Min(batch, count - start);
            long[] shape = [take, channels, size, size];
            var condition = conditions?.narrow(0, start, take);
            // Pixel samples are clipped to the data range at each x0 estimate; latents are not bounded.
            double? clip = vae is null ? 1.0 : null;
            var x = Sampler.Read(s) == "ddpm"
                ? schedule.SampleDdpm(predict, shape, condition, guidance, clip)
                : schedule.SampleDdim(predict, shape, SamplingSteps.Read(s), condition, guidance, clip);
            using var held = new HeldScalars();
            if (vae is not null)
                using (no_grad())
                    x = vae.Decode(x / held[scale]);
            parts.AddRange((held.Plus(x, 1) / held[2]).clamp(held[0], held[1]).contiguous().data<float>().ToArray());
            // Sampling is most of an evaluation's time; the distances and recovery after it take the last tenth.
            progress?.Report(0.9 * (start + take) / count);
        }
        return [.. parts];
    }

    private static float[] Reconstruct(Autoencoder vae, ImageDataset data)
    {
        using var grad = no_grad();
        using var held = new HeldScalars();
        var result = new List<float>();
        for (var start = 0; start < data.Count; start += 64)
        {
            using var scope = NewDisposeScope();
            var rows = Enumerable.Range(start, Math.Min(64, data.Count - start)).ToList();
            result.AddRange((held.Plus(vae.call(data.ImageBatch(rows)), 1) / held[2]).clamp(held[0], held[1]).contiguous().data<float>().ToArray());
        }
        return [.. result];
    }

    /// <summary>Histogram, mean-density and per-image-density distances to the test images, for the samples and for uniform noise.</summary>
    private static void AddDistances(JsonObject metrics, float[] generated, ImageDataset test, int bins, ulong seed)
    {
        var random = new SeededRandom(seed ^ 0xA015E);
        var noise = new float[generated.Length];
        for (var k = 0; k < noise.Length; k++) noise[k] = (float)random.NextDouble();
        var realMeans = ImageMetrics.ImageMeans(test.Images, test.Pixels);
        var realMean = realMeans.Average();
        foreach (var (name, images) in new[] { ("generated", generated), ("noise", noise) })
        {
            var means = ImageMetrics.ImageMeans(images, test.Pixels);
            metrics[name] = new JsonObject
            {
                ["histogram_distance"] = ImageMetrics.HistogramDistance(images, test.Images, bins),
                ["mean_density_error"] = Math.Abs(means.Average() - realMean),
                ["density_w1"] = ImageMetrics.Wasserstein(means, realMeans),
            };
        }
        metrics["real_mean_density"] = realMean;
    }

    private static void AddReconstruction(JsonObject metrics, float[] reconstructed, ImageDataset test, ImageDataset? train)
    {
        metrics["reconstruction_mse"] = ImageMetrics.MeanSquaredError(reconstructed, test.Images);
        if (train is null) return;
        // The baseline a useless autoencoder reaches: always output the mean training image.
        var mean = new float[test.Pixels];
        for (var k = 0; k < train.Count; k++)
            for (var p = 0; p < test.Pixels; p++) mean[p] += train.Images[k * test.Pixels + p] / train.Count;
        var repeated = Enumerable.Range(0, test.Count).SelectMany(_ => mean).ToArray();
        metrics["mean_image_mse"] = ImageMetrics.MeanSquaredError(repeated, test.Images);
    }

    /// <summary>Trains the regressor on real training images, then compares what it reads from real test images and from generated ones.</summary>
    private static JsonObject Recovery(PluginContext context, ImageDataset test, ImageDataset train, float[] generated, List<int> rows, double[] minimum, double[] maximum,
        SeededRandom random, CancellationToken cancellationToken)
    {
        using var regressor = ParameterRegressor.Fit(context, train, minimum, maximum, random, RegressorSteps, RegressorLearningRate, cancellationToken);
        float[] Predict(Tensor images)
        {
            using var grad = no_grad();
            return regressor.call(images).contiguous().data<float>().ToArray();
        }
        var p = test.Names.Count;
        // The images and what is made from them live in the scope while libtorch reads them.
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var onReal = Predict(test.ImageBatch(Enumerable.Range(0, test.Count).ToList()));
        var onGenerated = Predict(tensor(generated, [rows.Count, 1, test.Size, test.Size]) * held[2] - held[1]);
        var result = new JsonObject();
        for (var j = 0; j < p; j++)
        {
            var real = Enumerable.Range(0, test.Count).Select(k => (double)ImageDataset.Normalize(test.Parameter(k, j), minimum[j], maximum[j])).ToList();
            var requested = rows.Select(k => (double)ImageDataset.Normalize(test.Parameter(k, j), minimum[j], maximum[j])).ToList();
            var readReal = Enumerable.Range(0, test.Count).Select(k => (double)onReal[k * p + j]).ToList();
            var readGenerated = Enumerable.Range(0, rows.Count).Select(k => (double)onGenerated[k * p + j]).ToList();
            result[test.Names[j]] = new JsonObject
            {
                ["correlation_real"] = ImageMetrics.Pearson(real, readReal),
                ["correlation_generated"] = ImageMetrics.Pearson(requested, readGenerated),
                ["mse_real"] = real.Zip(readReal).Average(q => (q.First - q.Second) * (q.First - q.Second)),
                ["mse_generated"] = requested.Zip(readGenerated).Average(q => (q.First - q.Second) * (q.First - q.Second)),
            };
        }
        return result;
    }

    /// <summary>Up to one row of real test images above the generated (or reconstructed) images for the same rows.</summary>
    /// <summary>A row of test images above two rows of generated (or reconstructed) ones, grey scale over [0, 1] with its bar.</summary>
    private static void SavePicture(string path, ImageDataset test, float[] shown, int shownCount, int columns)
    {
        var size = test.Size;
        var cells = size * size;
        // No columns of blank panels when there are fewer images than the grid is wide.
        columns = Math.Max(1, Math.Min(columns, Math.Max(test.Count, shownCount)));
        var intensity = new FieldScale("pixel intensity", 0, 1, FieldColors.Gray);
        var grid = new FieldGrid("Test images and generated samples", [.. Enumerable.Range(1, columns).Select(c => $"#{c}")]) { PanelPixels = 80 };
        GridPanel Panel(float[] pixels, int k, int count) =>
            FieldPanel.Square(k < count ? pixels.AsSpan(k * cells, cells) : Enumerable.Repeat(float.NaN, cells).ToArray(), size, intensity);
        grid.AddRow("test", [.. Enumerable.Range(0, columns).Select(k => Panel(test.Images, k, test.Count))]);
        for (var row = 0; row < 2 && row * columns < shownCount; row++)
            grid.AddRow(row == 0 ? "generated" : "generated (2)", [.. Enumerable.Range(row * columns, columns).Select(k => Panel(shown, k, shownCount))]);
        grid.SavePng(path);
    }
}
