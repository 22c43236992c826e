using Recipes.Plugins;

namespace Recipes.Training.Diffusion;

/// <summary>
/// The denoiser's settings, shared by the pixel and the latent trainer, each with its own defaults for size and length;
/// declared once, read through the same handles, and recorded in model.json for the evaluator.
/// </summary>
public sealed class DenoiserSettings : ISettingGroup
{
    public DenoiserSettings(int channels, double[] multipliers, int steps, int batch)
    {
        Channels = Settings.Int("channels", "UNet base channels (level l has channels x multipliers[l]).", channels, min: 4, max: 1024);
        Multipliers = Settings.Numbers("multipliers", "Channel multiplier per UNet level; each level after the first halves the size.", multipliers);
        Steps = Settings.Int("steps", "Optimizer steps of the denoiser.", steps, min: 1);
        Batch = Settings.Int("batch", "Images (or latents) per step.", batch, min: 1);
        Specs = [Channels, Multipliers, Steps, Batch, LearningRate, EmaDecay, Timesteps, BetaStart, BetaEnd];
    }

    public Setting<int> Channels { get; }
    public Setting<IReadOnlyList<double>> Multipliers { get; }
    public Setting<int> Steps { get; }
    public Setting<int> Batch { get; }
    public Setting<double> LearningRate { get; } = Settings.Number("learning_rate", "Adam's learning rate.", 2e-4, min: 0);
    public Setting<double> EmaDecay { get; } = Settings.Number("ema_decay", "Decay of the weights' moving average (the saved model).", 0.999, min: 0, max: 1);
    public Setting<int> Timesteps { get; } = Settings.Int("timesteps", "T of the forward process.", 1000, min: 2);
    public Setting<double> BetaStart { get; } = Settings.Number("beta_start", "β₁ of the linear schedule.", 1e-4, min: 0, max: 1);
    public Setting<double> BetaEnd { get; } = Settings.Number("beta_end", "β_T of the linear schedule.", 0.02, min: 0, max: 1);

    public IReadOnlyList<OptionSpec> Specs { get; }

    public IEnumerable<OptionProblem> Check(ValueMap settings)
    {
        if (settings.Contains(Multipliers.Name))
        {
            var multipliers = Multipliers.Read(settings);
            if (multipliers.Count == 0 || multipliers.Any(m => m < 1 || m != Math.Floor(m)))
                yield return new OptionProblem(Multipliers.Name, "give whole multipliers >= 1, e.g. [1, 2, 2]");
        }
        if (settings.Contains(BetaStart.Name) && BetaStart.Read(settings) >= BetaEnd.Read(settings))
            yield return new OptionProblem(BetaStart.Name, "beta_start must be below beta_end");
    }

    public IReadOnlyList<int> LevelMultipliers(ValueMap settings) => Multipliers.Read(settings).Select(m => (int)m).ToList();

    public DiffusionSchedule Schedule(ValueMap settings) => new(Timesteps.Read(settings), BetaStart.Read(settings), BetaEnd.Read(settings));

    public DenoiserTraining.Settings Training(ValueMap settings, double conditionDropout) =>
        new(Steps.Read(settings), Batch.Read(settings), LearningRate.Read(settings), EmaDecay.Read(settings), conditionDropout);

    /// <summary>What the evaluator needs to rebuild the denoiser and its schedule.</summary>
    public DenoiserDescription Describe(ValueMap settings, int imageChannels, int size) =>
        new(Channels.Read(settings), LevelMultipliers(settings), Timesteps.Read(settings), BetaStart.Read(settings), BetaEnd.Read(settings), imageChannels, size);
}
