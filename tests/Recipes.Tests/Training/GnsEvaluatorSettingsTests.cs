using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Training;

/// <summary>
/// The graph network evaluator's cost settings for large scenes (LagrangeBench's 5,000-particle dam break): score only
/// the split's first trajectories, thin the clouds the Sinkhorn divergence compares, and score the network alone.
/// </summary>
[Trait("Category", "Training")]
public sealed class GnsEvaluatorSettingsTests
{
    [Fact]
    public void TrajectoriesSinkhornParticlesAndClampChangeWhatIsScored()
    {
        using var ws = Workspace.CopyingCache(SharedCaches.DamBreakTiny);
        SharedCaches.WithDamBreakTiny(ws);
        string[] train = ["stages.train.steps=20", "stages.train.validate_every=0"];
        JsonNode Evaluate(params string[] sets)
        {
            var result = ws.Build(SharedCaches.DamBreakTinyRecipe, [.. train, "stages.evaluate.split=train", .. sets]);
            BuildAssert.NoFailures(result);
            return JsonNode.Parse(File.ReadAllText(Path.Combine(ws.OutDir, SharedCaches.DamBreakTinyName, "evaluate", "metrics.json")))!;
        }

        var whole = Evaluate();
        Assert.Equal(2, whole["trajectories"]!.GetValue<int>());   // the train split of four trajectories at 0.5/0.25/0.25
        Assert.NotNull(whole["model_without_clamp"]);
        Assert.Null(whole["model"]!["lagrangebench"]!["sinkhorn_particles"]);

        var first = Evaluate("stages.evaluate.trajectories=1", "stages.evaluate.sinkhorn_particles=16", "stages.evaluate.clamp_to_box=false");
        Assert.Equal(1, first["trajectories"]!.GetValue<int>());
        Assert.Single(first["per_trajectory"]!.AsArray());
        Assert.Equal(whole["per_trajectory"]![0]!["id"]!.GetValue<string>(), first["per_trajectory"]![0]!["id"]!.GetValue<string>());
        Assert.Null(first["model_without_clamp"]);
        Assert.Equal(16, first["model"]!["lagrangebench"]!["sinkhorn_particles"]!.GetValue<int>());
        Assert.True(first["model"]!["lagrangebench"]!["sinkhorn"]!.GetValue<double>() >= 0);
    }
}
