using Recipes.Plugins;
using Recipes.Tests.Support;

namespace Recipes.Tests.Training;

/// <summary>
/// Pushforward training of the graph network simulator (Brandstetter et al. 2022, scheduled as LagrangeBench does):
/// the stages unroll as scheduled, the run is repeatable and resumable like any training, and a schedule that cannot
/// be meant is refused before anything runs. Whether it helps is measured, not asserted (docs/dam-break.md: three
/// seeds on the CI dataset), since a 40-step model on the smallest dam break cannot show it.
/// </summary>
public sealed class PushforwardTests
{
    private static string[] Sets(int steps) =>
    [
        $"stages.train.steps={steps}", "stages.train.latent_size=16", "stages.train.message_passing_steps=1",
        "stages.train.validate_every=20", "stages.evaluate.torch_threads=1",
        "stages.train.pushforward_steps=[0, 10, 20]", "stages.train.pushforward_unrolls=[0, 1, 3]", "stages.train.pushforward_probs=[2, 1, 1]",
    ];

    [Fact]
    // Slow: three trainings (17 s); the full run, CI's, keeps it.
    [Trait("Category", "Slow")]
    [Trait("Category", "BothPaths")]
    public void TheScheduledStagesUnrollAndALongerRunContinuesTheShorterOneBitForBit()
    {
        using var scratch = Workspace.CopyingCache(SharedCaches.DamBreakTiny);
        SharedCaches.WithDamBreakTiny(scratch);
        var whole = scratch.Build(SharedCaches.DamBreakTinyRecipe, Sets(40));
        BuildAssert.NoFailures(whole);
        var log = File.ReadAllText(ResumptionTests.LogOf(scratch, whole, "train"));
        // Steps 0-9 can draw only 0 unrolls, 10-19 also 1, 20-39 also 3: both kinds happen in 40 steps with these weights.
        var line = log.Split('\n').Single(l => l.StartsWith("pushforward: ", StringComparison.Ordinal));
        Assert.Matches(@"^pushforward: \d+ steps unrolled 1, \d+ steps unrolled 3 of 40$", line);

        using var resumed = Workspace.CopyingCache(SharedCaches.DamBreakTiny);
        SharedCaches.WithDamBreakTiny(resumed);
        BuildAssert.NoFailures(resumed.Build(SharedCaches.DamBreakTinyRecipe, Sets(25)));
        var longer = resumed.Build(SharedCaches.DamBreakTinyRecipe, Sets(40));
        BuildAssert.NoFailures(longer);
        Assert.Contains("resuming from step 25", File.ReadAllText(ResumptionTests.LogOf(resumed, longer, "train")));
        Assert.Equal(ResumptionTests.Tree(Path.Combine(scratch.OutDir, SharedCaches.DamBreakTinyName, "train")),
            ResumptionTests.Tree(Path.Combine(resumed.OutDir, SharedCaches.DamBreakTinyName, "train")));
    }

    [Theory]
    [InlineData("[0, 10]", "[0, 1, 2]", "[1, 1, 1]", "need one entry per stage (they have 2, 3 and 3)")]
    [InlineData("[0, 20, 10]", "[0, 1, 2]", "[1, 1, 1]", "pushforward_steps must be whole steps in ascending order, the first 0")]
    [InlineData("[5]", "[1]", "[1]", "pushforward_steps must be whole steps in ascending order, the first 0")]
    [InlineData("[0, 10]", "[0, -1]", "[1, 1]", "pushforward_unrolls must be whole numbers from 0 to 20")]
    [InlineData("[0, 10]", "[0, 1]", "[0, 1]", "pushforward_probs must be non-negative, the first above 0")]
    public void AScheduleThatCannotBeMeantIsRefusedBeforeAnythingRuns(string steps, string unrolls, string probs, string message)
    {
        using var ws = new Workspace();
        SharedCaches.WithDamBreakTiny(ws);
        var run = Support.Cli.Run(ws.Root, "build", SharedCaches.DamBreakTinyRecipe, "--cache", ws.CacheDir,
            "--set", $"stages.train.pushforward_steps={steps}", "--set", $"stages.train.pushforward_unrolls={unrolls}", "--set", $"stages.train.pushforward_probs={probs}");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.Equal(0, StoredEntries.Count(ws.CacheDir));
    }
}
