using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Training;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Recipes.Stages.Diffusion;

/// <summary>
/// <c>train: { model: latent-ddpm }</c>: latent diffusion in one node. First the KL autoencoder (<c>vae_*</c> options),
/// then a denoiser on the scaled latents of the training images, conditioned on the samples' simulation parameters
/// (normalized to [−1, 1] with the dataset's ranges) and trained with the condition dropped at
/// <c>condition_dropout</c> so that sampling can use classifier-free guidance. Writes <c>vae.safetensors</c>,
/// <c>model.safetensors</c> (EMA denoiser), <c>model.json</c> and both loss curves. One node rather than two keeps the
/// pair consistent; the price is that changing only a denoiser option retrains the autoencoder too.
/// </summary>
public sealed class LatentDdpmTrainer : TorchStagePlugin
{
    public override string Name => "latent-ddpm";
    public override string Stage => StageNames.Train;
    public override int Version => 3;
    public override bool UsesSeed => true;
    public override string Summary => "Latent diffusion: KL autoencoder, then a denoiser on its latents conditioned on simulation parameters (classifier-free guidance).";

    private static readonly DenoiserSettings Denoiser = new(64, [1, 2], 4000, 32);
    private static readonly AutoencoderSettings Autoencoder = new("vae_", 2000);
    private static readonly Setting<bool> Conditional = Settings.Flag("conditional", "Condition on the dataset's parameters (false: an unconditional latent model).", true);
    private static readonly Setting<double> ConditionDropout = Settings.Number("condition_dropout", "Probability of dropping the condition in a training example (for guidance).", 0.1, min: 0, max: 1);

    protected override IReadOnlyList<OptionSpec> StageOptions { get; } = [.. Denoiser.Specs, .. Autoencoder.Specs, Conditional, ConditionDropout];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings) => Denoiser.Check(settings).Concat(Autoencoder.Check(settings));

    protected override Task RunTorchAsync(PluginContext context, CancellationToken cancellationToken) => Train(context, cancellationToken);

    private static async Task Train(PluginContext context, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var random = new SeededRandom(context.Seed);
        var data = ImageDataset.Read(context.Upstream, "train");
        var autoencoder = Autoencoder.Training(s, Denoiser.Batch.Read(s));
        var (vae, vaeCurve, scale) = AutoencoderTraining.Train(data, autoencoder, random, context, 0, 0.3, cancellationToken);
        using var latents = AutoencoderTraining.Encode(vae, data, scale);
        var latentSize = (int)latents.shape[^1];
        var multipliers = Denoiser.LevelMultipliers(s);
        if (latentSize % (1 << (multipliers.Count - 1)) != 0)
            throw new PluginException($"{multipliers.Count} UNet levels need a latent size divisible by {1 << (multipliers.Count - 1)}; the latents are {latentSize}x{latentSize}");

        var conditional = Conditional.Read(s) && data.Names.Count > 0;
        using var conditions = conditional ? data.ConditionBatch(Enumerable.Range(0, data.Count).ToList(), data.Minimum, data.Maximum) : null;
        var conditionCount = conditional ? data.Names.Count : 0;
        using var model = new DiffusionUNet(autoencoder.LatentChannels, Denoiser.Channels.Read(s), multipliers, conditionCount);
        using var ema = new DiffusionUNet(autoencoder.LatentChannels, Denoiser.Channels.Read(s), multipliers, conditionCount);
        var curve = DenoiserTraining.Train(model, ema, Denoiser.Schedule(s), latents, conditions,
            Denoiser.Training(s, conditional ? ConditionDropout.Read(s) : 0), random, context, 0.3, 1, cancellationToken);

        vae.save_safetensors(context.OutputPath("vae.safetensors"));
        ema.save_safetensors(context.OutputPath("model.safetensors"));
        var config = new JsonObject
        {
            ["model"] = "latent-ddpm",
            ["autoencoder"] = AutoencoderTraining.Json(autoencoder, scale, data.Size),
            ["denoiser"] = Denoiser.Json(s, autoencoder.LatentChannels, latentSize),
            ["conditions"] = conditional ? new JsonArray(data.Names.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()) : new JsonArray(),
            ["minimum"] = new JsonArray(data.Minimum.Select(v => (JsonNode?)v).ToArray()),
            ["maximum"] = new JsonArray(data.Maximum.Select(v => (JsonNode?)v).ToArray()),
        };
        await File.WriteAllTextAsync(context.OutputPath("model.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
        DenoiserTraining.SaveCurves(context, [("autoencoder", vaeCurve), ("denoiser", curve)]);
        context.Metrics["train_images"] = data.Count;
        context.Metrics["latent_scale"] = scale;
    }
}
