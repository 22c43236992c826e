using System.Globalization;
using Recipes.Plugins;
using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training;

/// <summary>
/// Stops a training run at the first loss that is not a number, and refuses weights that are not all finite, with one
/// line naming the node, the step and the setting to change. The node then fails, so nothing it wrote is cached; the
/// engine's own scan of outputs (<c>NonFiniteScan</c>) is the net under this.
/// </summary>
public static class Divergence
{
    /// <summary>Throws when <paramref name="loss"/> is NaN or infinite at optimizer step <paramref name="step"/> (1-based).</summary>
    public static void Check(PluginContext context, double loss, int step, string learningRateSetting, string what = "training")
    {
        if (double.IsFinite(loss)) return;
        throw new PluginException(string.Create(CultureInfo.InvariantCulture,
            $"{what} diverged: the loss is {Describe(loss)} at step {step}; lower {Setting(context, learningRateSetting)}"));
    }

    /// <summary>Throws when any parameter of <paramref name="model"/> holds a NaN or an infinity.</summary>
    public static void CheckWeights(PluginContext context, nn.Module model, string learningRateSetting, string what = "training")
    {
        using var scope = NewDisposeScope();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (isfinite(parameter).all().item<bool>()) continue;
            throw new PluginException($"{what} diverged: weight '{name}' is not finite; lower {Setting(context, learningRateSetting)}");
        }
    }

    /// <summary>The setting as a user writes it in a recipe or with --set, with its current value.</summary>
    public static string Setting(PluginContext context, string name) =>
        context.Settings.TryGet(name, out var value) && value is not null
            ? $"stages.{context.Stage}.{name} (now {value.ToJsonString()})"
            : $"stages.{context.Stage}.{name}";

    private static string Describe(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity";
}
