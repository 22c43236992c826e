using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Training.Diffusion;

/// <summary>How the evaluator rebuilds a trained denoiser and its schedule from model.json.</summary>
public static class DiffusionOptions
{
    public static DiffusionUNet DenoiserFrom(JsonNode json, int conditions) =>
        new(json["image_channels"]!.GetValue<int>(), json["channels"]!.GetValue<int>(),
            json["multipliers"]!.AsArray().Select(m => m!.GetValue<int>()).ToList(), conditions);

    public static DiffusionSchedule ScheduleFrom(JsonNode json) =>
        new(json["timesteps"]!.GetValue<int>(), json["beta_start"]!.GetValue<double>(), json["beta_end"]!.GetValue<double>());
}
