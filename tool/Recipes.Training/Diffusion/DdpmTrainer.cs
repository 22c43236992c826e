using Recipes.Plugins;
using Recipes.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Recipes.Training.Diffusion;

/// <summary>
/// <c>train: { model: ddpm }</c>: an unconditional pixel-space diffusion model on the dataset's training images
/// (scaled to [−1, 1]): UNet with sinusoidal time embedding, linear β schedule over T steps, ε-prediction, EMA of the
/// weights. Writes <c>model.safetensors</c> (the EMA weights, loadable by PyTorch), <c>model.json</c>, and the loss
/// curve. Sampling (DDPM or DDIM) happens in <c>evaluate: { evaluator: diffusion }</c>, so changing the sampler reruns
/// only evaluation.
/// </summary>
public sealed class DdpmTrainer : TorchStagePlugin, IResumableTrainer
{
    public override string Name => "ddpm";
    public override string Stage => StageNames.Train;
    public override int Version => 3;
    public override bool UsesSeed => true;
    public override string Summary => "Unconditional pixel-space DDPM (UNet, linear schedule, epsilon-prediction, EMA).";

    private static readonly DenoiserSettings Denoiser = new(32, [1, 2, 2], 4000, 32);

    protected override IReadOnlyList<OptionSpec> StageOptions { get; } = Denoiser.Specs;

    public override IEnumerable<OptionProblem> Validate(ValueMap settings) => Denoiser.Check(settings);

    /// <summary>A constant learning rate, an average warmed up by the step number: every run is a prefix of a longer one.</summary>
    public string LengthSetting => Denoiser.Steps.Name;

    public string? WhyNotResumable(ValueMap settings) => null;

    protected override Task RunTorchAsync(PluginContext context, CancellationToken cancellationToken)
    {
        Train(context, cancellationToken);
        return Task.CompletedTask;
    }

    private static void Train(PluginContext context, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var random = new SeededRandom(context.Seed);
        var data = ImageDataset.Read(context.Upstream, "train");
        var multipliers = Denoiser.LevelMultipliers(s);
        if (data.Size % (1 << (multipliers.Count - 1)) != 0)
            throw new PluginException($"{multipliers.Count} UNet levels need an image size divisible by {1 << (multipliers.Count - 1)}; the images are {data.Size}x{data.Size}");
        using var model = new DiffusionUNet(1, Denoiser.Channels.Read(s), multipliers, 0);
        using var ema = new DiffusionUNet(1, Denoiser.Channels.Read(s), multipliers, 0);
        using var images = data.ImageBatch(Enumerable.Range(0, data.Count).ToList());
        var training = Denoiser.Training(s, 0);
        var resume = new TrainingResume(context.Checkpoints, TrainingCheckpoint.Load(context.Checkpoints, training.Steps, context.Log));
        var curve = DenoiserTraining.Train(model, ema, Denoiser.Schedule(s), images, null, training, random, context, 0, 1, cancellationToken, resume);
        ema.save_safetensors(context.OutputPath("model.safetensors"));
        ModelFile.Write(context.OutputPath(ModelFile.Name), new DiffusionModelDescription(DiffusionModelDescription.Ddpm, Denoiser: Denoiser.Describe(s, 1, data.Size)));
        DenoiserTraining.SaveCurves(context, [("denoiser", curve)]);
        context.Metrics["train_images"] = data.Count;
    }
}
