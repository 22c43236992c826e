using Recipes.Plugins;

namespace Recipes.Training.Diffusion;

/// <summary>How the evaluator rebuilds a trained denoiser and its schedule from model.json.</summary>
public static class DiffusionOptions
{
    public static DiffusionUNet DenoiserFrom(DenoiserDescription description, int conditions) =>
        new(description.ImageChannels, description.Channels, description.Multipliers, conditions);

    public static DiffusionSchedule ScheduleFrom(DenoiserDescription description) =>
        new(description.Timesteps, description.BetaStart, description.BetaEnd);
}
