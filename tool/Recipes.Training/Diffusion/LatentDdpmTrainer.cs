using Recipes.Plugins;
using Recipes.Training;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Recipes.Training.Diffusion;

/// <summary>
/// <c>train: { model: latent-ddpm }</c>: latent diffusion in one node. First the KL autoencoder (<c>vae_*</c> options),
/// then a denoiser on the scaled latents of the training images, conditioned on the samples' simulation parameters
/// (normalized to [−1, 1] with the dataset's ranges) and trained with the condition dropped at
/// <c>condition_dropout</c> so that sampling can use classifier-free guidance. Writes <c>vae.safetensors</c>,
/// <c>model.safetensors</c> (EMA denoiser), <c>model.json</c> and both loss curves. One node rather than two keeps the
/// pair consistent; the price is that changing only a denoiser option retrains the autoencoder too.
/// </summary>
public sealed class LatentDdpmTrainer : TorchStagePlugin, IResumableTrainer
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

    /// <summary>The denoiser's length: a longer run continues its denoiser from a checkpoint that holds the autoencoder it trained first.</summary>
    public string LengthSetting => Denoiser.Steps.Name;

    public string? WhyNotResumable(ValueMap settings) => null;

    private static async Task Train(PluginContext context, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var random = new SeededRandom(context.Seed);
        var data = ImageDataset.Read(context.Upstream, "train");
        var training = Denoiser.Training(s, 0);
        var resumed = TrainingCheckpoint.Load(context.Checkpoints, training.Steps, context.Log);
        var (vae, vaeConfig, vaeCurve, scale) = Autoencoding(context, data, random, resumed, cancellationToken);
        using var latents = AutoencoderTraining.Encode(vae, data, scale);
        var latentChannels = vaeConfig.LatentChannels;
        var latentSize = (int)latents.shape[^1];
        var multipliers = Denoiser.LevelMultipliers(s);
        if (latentSize % (1 << (multipliers.Count - 1)) != 0)
            throw new PluginException($"{multipliers.Count} UNet levels need a latent size divisible by {1 << (multipliers.Count - 1)}; the latents are {latentSize}x{latentSize}");

        var conditional = Conditional.Read(s) && data.Names.Count > 0;
        using var conditions = conditional ? data.ConditionBatch(Enumerable.Range(0, data.Count).ToList(), data.Minimum, data.Maximum) : null;
        var conditionCount = conditional ? data.Names.Count : 0;
        using var model = new DiffusionUNet(latentChannels, Denoiser.Channels.Read(s), multipliers, conditionCount);
        using var ema = new DiffusionUNet(latentChannels, Denoiser.Channels.Read(s), multipliers, conditionCount);
        // Each checkpoint of the denoiser carries the autoencoder it trains on, so a longer run need not train it again.
        var resume = new TrainingResume(context.Checkpoints, resumed, checkpoint =>
        {
            checkpoint.Add("vae.", vae);
            checkpoint.State["vae"] = ModelFile.ToNode(vaeConfig);
            checkpoint.AddDoubles("vae.curve.steps", vaeCurve.Select(p => (double)p.Step).ToArray());
            checkpoint.AddDoubles("vae.curve.losses", vaeCurve.Select(p => p.Loss).ToArray());
        });
        var curve = DenoiserTraining.Train(model, ema, Denoiser.Schedule(s), latents, conditions,
            Denoiser.Training(s, conditional ? ConditionDropout.Read(s) : 0), random, context, 0.3, 1, cancellationToken, resume);

        vae.save_safetensors(context.OutputPath("vae.safetensors"));
        ema.save_safetensors(context.OutputPath("model.safetensors"));
        var description = new DiffusionModelDescription(DiffusionModelDescription.LatentDdpm, vaeConfig, Denoiser.Describe(s, latentChannels, latentSize),
            conditional ? [.. data.Names] : [], [.. data.Minimum], [.. data.Maximum]);
        await ModelFile.WriteAsync(context.OutputPath(ModelFile.Name), description, cancellationToken);
        DenoiserTraining.SaveCurves(context, vaeCurve.Count > 0 ? [("autoencoder", vaeCurve), ("denoiser", curve)] : [("denoiser", curve)]);
        context.Metrics["train_images"] = data.Count;
        context.Metrics["latent_scale"] = scale;
        vae.Dispose();
    }

    /// <summary>
    /// The autoencoder the denoiser works in: the one a needed target trained (<c>needs:</c> a <c>vae</c> target, whose
    /// outputs are upstream), else the one of the checkpoint this run continues, else one trained here from the
    /// <c>vae_*</c> settings. The curve is empty when the autoencoder was not trained in this node.
    /// </summary>
    private static (Autoencoder Vae, AutoencoderDescription Config, List<(int Step, double Loss)> Curve, double Scale) Autoencoding(PluginContext context, ImageDataset data,
        SeededRandom random, TrainingCheckpoint? resumed, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        if (context.Upstream.FirstOrDefault(u => u.Stage == StageNames.Train && u.Find("vae.safetensors") is not null) is { } needed)
        {
            var config = ModelFile.Read<DiffusionModelDescription>(needed.Get(ModelFile.Name).Path).Autoencoder
                ?? throw new PluginException($"{needed.NodeId}'s model.json has no autoencoder; a latent-ddpm target needs a target whose model is vae");
            if (config.Size != data.Size)
                throw new PluginException($"{needed.NodeId}'s autoencoder was trained on {config.Size}px images, the dataset has {data.Size}px");
            var upstream = AutoencoderTraining.From(config);
            upstream.load_safetensors(needed.Get("vae.safetensors").Path);
            upstream.eval();
            context.Log.WriteLine($"the autoencoder of {needed.NodeId} (not trained here)");
            return (upstream, config, [], config.LatentScale);
        }
        if (resumed is not null)
        {
            var config = ModelFile.FromNode<AutoencoderDescription>(resumed.State["vae"], "the checkpoint's autoencoder");
            var restored = AutoencoderTraining.From(config);
            resumed.Restore("vae.", restored);
            restored.eval();
            var steps = resumed.Doubles("vae.curve.steps");
            var losses = resumed.Doubles("vae.curve.losses");
            return (restored, config, [.. steps.Select((step, k) => ((int)step, losses[k]))], config.LatentScale);
        }
        var autoencoder = Autoencoder.Training(s, Denoiser.Batch.Read(s));
        var (vae, curve, scale) = AutoencoderTraining.Train(data, autoencoder, random, context, 0, 0.3, cancellationToken);
        return (vae, AutoencoderTraining.Describe(autoencoder, scale, data.Size), curve, scale);
    }
}
