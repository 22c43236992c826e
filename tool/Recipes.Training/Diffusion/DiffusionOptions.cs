using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Stages.Diffusion;

/// <summary>The options the diffusion trainers share, and how model.json records them for the evaluator.</summary>
public static class DiffusionOptions
{
    public static IReadOnlyList<OptionSpec> Denoiser(int channels, JsonArray multipliers, int steps, int batch) =>
    [
        OptionSpec.Int("channels", "UNet base channels (level l has channels x multipliers[l]).", channels, min: 4, max: 1024),
        new OptionSpec("multipliers", OptionType.NumberList, "Channel multiplier per UNet level; each level after the first halves the size.") { Default = multipliers },
        OptionSpec.Int("steps", "Optimizer steps of the denoiser.", steps, min: 1),
        OptionSpec.Int("batch", "Images (or latents) per step.", batch, min: 1),
        OptionSpec.Number("learning_rate", "Adam's learning rate.", 2e-4, min: 0),
        OptionSpec.Number("ema_decay", "Decay of the weights' moving average (the saved model).", 0.999, min: 0, max: 1),
        OptionSpec.Int("timesteps", "T of the forward process.", 1000, min: 2),
        OptionSpec.Number("beta_start", "β₁ of the linear schedule.", 1e-4, min: 0, max: 1),
        OptionSpec.Number("beta_end", "β_T of the linear schedule.", 0.02, min: 0, max: 1),
    ];

    public static IReadOnlyList<OptionSpec> Autoencoder(string prefix, int steps) =>
    [
        OptionSpec.Int($"{prefix}channels", "Autoencoder base channels.", 32, min: 4, max: 1024),
        OptionSpec.Int($"{prefix}downsample", "Spatial reduction of the latent: 4 (two levels) or 8 (three), as in latent diffusion.", 4, min: 2, max: 16),
        OptionSpec.Int($"{prefix}latent_channels", "Channels of the latent.", 4, min: 1, max: 64),
        OptionSpec.Number($"{prefix}kl_weight", "Weight of the KL term against the per-pixel MSE.", 1e-3, min: 0),
        OptionSpec.Int($"{prefix}steps", "Optimizer steps of the autoencoder.", steps, min: 1),
        OptionSpec.Number($"{prefix}learning_rate", "Adam's learning rate for the autoencoder.", 1e-3, min: 0),
    ];

    public static IEnumerable<OptionProblem> Check(ValueMap settings, string vaePrefix)
    {
        var multipliers = settings.Contains("multipliers") ? settings.GetDoubles("multipliers") : [];
        if (settings.Contains("multipliers") && (multipliers.Count == 0 || multipliers.Any(m => m < 1 || m != Math.Floor(m))))
            yield return new OptionProblem("multipliers", "give whole multipliers >= 1, e.g. [1, 2, 2]");
        if (settings.Contains("beta_start") && settings.GetDouble("beta_start") >= settings.GetDouble("beta_end", 0.02))
            yield return new OptionProblem("beta_start", "beta_start must be below beta_end");
        if (settings.Contains($"{vaePrefix}downsample") && !int.IsPow2(settings.GetInt($"{vaePrefix}downsample")))
            yield return new OptionProblem($"{vaePrefix}downsample", "downsample is a power of two (4 or 8)");
    }

    public static IReadOnlyList<int> Multipliers(ValueMap settings) => settings.GetDoubles("multipliers").Select(m => (int)m).ToList();

    public static DiffusionSchedule Schedule(ValueMap settings) =>
        new(settings.GetInt("timesteps", 1000), settings.GetDouble("beta_start", 1e-4), settings.GetDouble("beta_end", 0.02));

    public static DenoiserTraining.Settings Training(ValueMap settings, double conditionDropout) =>
        new(settings.GetInt("steps"), settings.GetInt("batch"), settings.GetDouble("learning_rate", 2e-4), settings.GetDouble("ema_decay", 0.999), conditionDropout);

    /// <summary>What the evaluator needs to rebuild the denoiser and its schedule.</summary>
    public static JsonObject DenoiserJson(ValueMap settings, int imageChannels, int size) => new()
    {
        ["channels"] = settings.GetInt("channels"),
        ["multipliers"] = new JsonArray(Multipliers(settings).Select(m => (JsonNode?)m).ToArray()),
        ["timesteps"] = settings.GetInt("timesteps", 1000),
        ["beta_start"] = settings.GetDouble("beta_start", 1e-4),
        ["beta_end"] = settings.GetDouble("beta_end", 0.02),
        ["image_channels"] = imageChannels,
        ["size"] = size,
    };

    public static DiffusionUNet DenoiserFrom(JsonNode json, int conditions) =>
        new(json["image_channels"]!.GetValue<int>(), json["channels"]!.GetValue<int>(),
            json["multipliers"]!.AsArray().Select(m => m!.GetValue<int>()).ToList(), conditions);

    public static DiffusionSchedule ScheduleFrom(JsonNode json) =>
        new(json["timesteps"]!.GetValue<int>(), json["beta_start"]!.GetValue<double>(), json["beta_end"]!.GetValue<double>());
}
