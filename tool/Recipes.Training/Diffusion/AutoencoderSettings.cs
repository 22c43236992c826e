using Recipes.Plugins;

namespace Recipes.Training.Diffusion;

/// <summary>The KL autoencoder's settings, under a prefix (<c>vae_</c> inside the latent trainer, none in the vae trainer).</summary>
public sealed class AutoencoderSettings : ISettingGroup
{
    public AutoencoderSettings(string prefix, int steps)
    {
        Prefix = prefix;
        Channels = Settings.Int($"{prefix}channels", "Autoencoder base channels.", 32, min: 4, max: 1024);
        Downsample = Settings.Int($"{prefix}downsample", "Spatial reduction of the latent: 4 (two levels) or 8 (three), as in latent diffusion.", 4, min: 2, max: 16);
        LatentChannels = Settings.Int($"{prefix}latent_channels", "Channels of the latent.", 4, min: 1, max: 64);
        KlWeight = Settings.Number($"{prefix}kl_weight", "Weight of the KL term against the per-pixel MSE.", 1e-3, min: 0);
        Steps = Settings.Int($"{prefix}steps", "Optimizer steps of the autoencoder.", steps, min: 1);
        LearningRate = Settings.Number($"{prefix}learning_rate", "Adam's learning rate for the autoencoder.", 1e-3, min: 0);
        Specs = [Channels, Downsample, LatentChannels, KlWeight, Steps, LearningRate];
    }

    public string Prefix { get; }
    public Setting<int> Channels { get; }
    public Setting<int> Downsample { get; }
    public Setting<int> LatentChannels { get; }
    public Setting<double> KlWeight { get; }
    public Setting<int> Steps { get; }
    public Setting<double> LearningRate { get; }

    public IReadOnlyList<OptionSpec> Specs { get; }

    public IEnumerable<OptionProblem> Check(ValueMap settings)
    {
        if (settings.Contains(Downsample.Name) && !int.IsPow2(Downsample.Read(settings)))
            yield return new OptionProblem(Downsample.Name, "downsample is a power of two (4 or 8)");
    }

    public AutoencoderTraining.Settings Training(ValueMap settings, int batch) => new(
        Channels.Read(settings),
        (int)Math.Round(Math.Log2(Downsample.Read(settings))),
        LatentChannels.Read(settings),
        KlWeight.Read(settings),
        Steps.Read(settings),
        LearningRate.Read(settings),
        batch,
        Prefix);
}
