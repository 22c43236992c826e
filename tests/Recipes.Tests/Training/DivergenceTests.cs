using Recipes.Execution;
using Recipes.Plugins;
using Recipes.Tests.Diffusion;
using Recipes.Tests.Support;

namespace Recipes.Tests.Training;

/// <summary>
/// Every trainer, driven to divergence by an absurd learning rate, stops at the first non-finite loss with one line
/// that names the step and a setting that exists, and caches nothing: the same build fails again the same way.
/// </summary>
[Trait("Category", "Training")]
[Trait("Category", "BothPaths")]
public sealed class DivergenceTests
{
    private const string Absurd = "1e30";

    /// <summary>Builds twice; both fail at <paramref name="node"/> (so the failure was not cached) and the message is returned.</summary>
    private static string FailsTwice(Workspace ws, string node, string recipe, params string[] sets)
    {
        string? first = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var result = ws.Build(recipe, sets);
            var failed = result.Graph.Nodes.Where(n => result.States.Status[n.Index] == NodeStatus.Failed).Select(n => n.Id).ToList();
            Assert.Equal([node], failed);
            var message = result.States.Messages[result.Graph.Nodes.Single(n => n.Id == node).Index]!;
            Assert.DoesNotContain('\n', message);
            Assert.Equal(first ?? message, message);
            first = message;
            Assert.False(Directory.Exists(Path.Combine(ws.OutDir, result.Graph.Recipe.Name, node)), $"{node} left outputs in out/");
        }
        Assert.Matches(@"diverged: the loss is (NaN|[+-]Infinity) at step \d+; lower stages\.", first);
        return first!;
    }

    /// <summary>The setting the message names is one the recipe language accepts: setting it to a sane value is a valid build.</summary>
    private static void NamesARealSetting(string message, string setting) =>
        Assert.Contains($"lower {setting} (now 1E+30)", message);

    [Fact]
    public void TheHeatSurrogateStopsAtItsFirstNonFiniteLoss()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("heat-diffusion");
        var message = FailsTwice(ws, "train", "ci.yaml", $"stages.train.learning_rate={Absurd}", "parameters.samples=4", "stages.dataset.shard=4");
        NamesARealSetting(message, "stages.train.learning_rate");
    }

    [Fact]
    public void TheGraphNetworkSimulatorStopsAtItsFirstNonFiniteLoss()
    {
        using var ws = new Workspace(SharedCaches.DamBreakTiny);
        SharedCaches.WithDamBreakTiny(ws);
        var message = FailsTwice(ws, "train", SharedCaches.DamBreakTinyRecipe, $"stages.train.learning_rate={Absurd}", "stages.train.lr_decay=1", "stages.train.steps=30");
        NamesARealSetting(message, "stages.train.learning_rate");
    }

    [Fact]
    public void ThePixelDiffusionModelStopsAtItsFirstNonFiniteLoss()
    {
        using var ws = new Workspace();
        TinyDiffusionTests.Recipe(ws, $"{{ model: ddpm, channels: 8, multipliers: [1, 2], steps: 30, batch: 4, learning_rate: {Absurd} }}");
        NamesARealSetting(FailsTwice(ws, "train", "recipe.yaml"), "stages.train.learning_rate");
    }

    [Fact]
    public void TheAutoencoderStopsAtItsFirstNonFiniteLossAndNamesItsOwnSetting()
    {
        using var ws = new Workspace();
        TinyDiffusionTests.Recipe(ws, $"{{ model: vae, channels: 8, steps: 30, batch: 4, learning_rate: {Absurd} }}");
        var message = FailsTwice(ws, "train", "recipe.yaml");
        Assert.Contains("the autoencoder's training diverged", message);
        NamesARealSetting(message, "stages.train.learning_rate");
    }

    [Fact]
    public void LatentDiffusionStopsInWhicheverPartDiverges()
    {
        using var ws = new Workspace();
        TinyDiffusionTests.Recipe(ws, $"{{ model: latent-ddpm, vae_channels: 8, vae_steps: 30, vae_learning_rate: {Absurd}, channels: 8, multipliers: [1], steps: 5, batch: 4 }}");
        var autoencoder = FailsTwice(ws, "train", "recipe.yaml");
        Assert.Contains("the autoencoder's training diverged", autoencoder);
        NamesARealSetting(autoencoder, "stages.train.vae_learning_rate");

        TinyDiffusionTests.Recipe(ws, $"{{ model: latent-ddpm, vae_channels: 8, vae_steps: 5, channels: 8, multipliers: [1], steps: 30, batch: 4, learning_rate: {Absurd} }}");
        var denoiser = FailsTwice(ws, "train", "recipe.yaml");
        Assert.Contains("the denoiser's training diverged", denoiser);
        NamesARealSetting(denoiser, "stages.train.learning_rate");
    }

    [Fact]
    public void TheEvaluatorsParameterRegressorStopsAtItsFirstNonFiniteLoss()
    {
        using var ws = new Workspace();
        TinyDiffusionTests.Recipe(ws, TinyDiffusionTests.Latent,
            evaluate: $"{{ evaluator: diffusion, sampling_steps: 3, regressor_steps: 30, regressor_learning_rate: {Absurd} }}");
        var message = FailsTwice(ws, "evaluate", "recipe.yaml");
        Assert.Contains("the parameter regressor's training diverged", message);
        NamesARealSetting(message, "stages.evaluate.regressor_learning_rate");
    }
}
