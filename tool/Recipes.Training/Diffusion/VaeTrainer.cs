using Recipes.Plugins;
using Recipes.Training;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Recipes.Training.Diffusion;

/// <summary>
/// <c>train: { model: vae }</c>: the KL-regularized autoencoder of latent diffusion on its own (the <c>latent-ddpm</c>
/// model trains one the same way before its denoiser). Writes <c>vae.safetensors</c>, <c>model.json</c> and the loss
/// curve; the <c>diffusion</c> evaluator reports its reconstruction error.
/// </summary>
public sealed class VaeTrainer : TorchStagePlugin, IResumableTrainer
{
    public override string Name => "vae";
    public override string Stage => StageNames.Train;
    public override int Version => 3;
    public override bool UsesSeed => true;
    public override string Summary => "KL-regularized convolutional autoencoder (x4 or x8 downsampling) for latent diffusion.";

    private static readonly AutoencoderSettings Autoencoder = new("", 2000);
    private static readonly Setting<int> Batch = Settings.Int("batch", "Images per step.", 32, min: 1);

    protected override IReadOnlyList<OptionSpec> StageOptions { get; } = [.. Autoencoder.Specs, Batch];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings) => Autoencoder.Check(settings);

    /// <summary>A constant learning rate and a data order drawn as it goes: every run is a prefix of a longer one.</summary>
    public string LengthSetting => "steps";

    public string? WhyNotResumable(ValueMap settings) => null;

    protected override async Task RunTorchAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var data = ImageDataset.Read(context.Upstream, "train");
        var settings = Autoencoder.Training(s, Batch.Read(s));
        var resume = new TrainingResume(context.Checkpoints, TrainingCheckpoint.Load(context.Checkpoints, settings.Steps, context.Log));
        var (model, curve, scale) = AutoencoderTraining.Train(data, settings, new SeededRandom(context.Seed), context, 0, 1, cancellationToken, resume);
        model.save_safetensors(context.OutputPath("vae.safetensors"));
        await ModelFile.WriteAsync(context.OutputPath(ModelFile.Name),
            new DiffusionModelDescription(DiffusionModelDescription.Vae, Autoencoder: AutoencoderTraining.Describe(settings, scale, data.Size)), cancellationToken);
        DenoiserTraining.SaveCurves(context, [("autoencoder", curve)]);
        context.Metrics["train_images"] = data.Count;
    }
}
