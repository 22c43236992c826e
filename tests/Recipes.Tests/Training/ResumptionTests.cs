using System.Diagnostics;
using Recipes.Execution;
using Recipes.Hashing;
using Recipes.Plugins;
using Recipes.Tests.Diffusion;
using Recipes.Tests.Support;

namespace Recipes.Tests.Training;

/// <summary>
/// "Train longer" continues instead of restarting: a run whose only change is a longer length starts from the longest
/// checkpoint of the same settings and inputs, and its outputs are the same bytes as training the longer run from
/// step 0; an interrupted run continues from its last periodic checkpoint.
/// </summary>
[Trait("Category", "Training")]
public sealed class ResumptionTests
{
    /// <summary>Every output of a node's folder under out/, by name and hash.</summary>
    internal static Dictionary<string, string> Tree(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), ContentHash.OfFile, StringComparer.Ordinal);

    private static string[] Gns(int steps) =>
    [
        $"stages.train.steps={steps}", "stages.train.latent_size=16", "stages.train.message_passing_steps=1",
        "stages.train.validate_every=30", "stages.train.ema_decay=0.9", "stages.evaluate.torch_threads=1",
    ];

    [Fact]
    [Trait("Category", "BothPaths")]
    public void TheGraphNetworkTrainedLongerFromItsCheckpointEqualsTrainingFromScratch()
    {
        using var scratch = Workspace.CopyingCache(SharedCaches.DamBreakTiny);
        SharedCaches.WithDamBreakTiny(scratch);
        BuildAssert.NoFailures(scratch.Build(SharedCaches.DamBreakTinyRecipe, Gns(80)));

        using var resumed = Workspace.CopyingCache(SharedCaches.DamBreakTiny);
        SharedCaches.WithDamBreakTiny(resumed);
        BuildAssert.NoFailures(resumed.Build(SharedCaches.DamBreakTinyRecipe, Gns(40)));
        string[] statusArgs = ["status", SharedCaches.DamBreakTinyRecipe, "--cache", resumed.CacheDir, .. Gns(80).SelectMany(s => new[] { "--set", s })];
        var status = Support.Cli.Run(resumed.Root, statusArgs);
        Assert.Contains("resumes from step 40 of 80 (cached checkpoint)", status.Stdout);
        var longer = resumed.Build(SharedCaches.DamBreakTinyRecipe, Gns(80));
        BuildAssert.NoFailures(longer);
        Assert.Equal(1, Workspace.Executed(longer, StageNames.Train));
        var log = File.ReadAllText(LogOf(resumed, longer, "train"));
        Assert.Contains("resuming from step 40", log);

        var (a, b) = (Tree(Path.Combine(scratch.OutDir, SharedCaches.DamBreakTinyName, "train")), Tree(Path.Combine(resumed.OutDir, SharedCaches.DamBreakTinyName, "train")));
        Assert.Contains("validation.json", a.Keys);
        Assert.Equal(a, b);
        Assert.Equal(ContentHash.OfFile(Path.Combine(scratch.OutDir, SharedCaches.DamBreakTinyName, "evaluate", "metrics.json")),
            ContentHash.OfFile(Path.Combine(resumed.OutDir, SharedCaches.DamBreakTinyName, "evaluate", "metrics.json")));
    }

    /// <summary>The log the cache kept for a node of a build.</summary>
    internal static string LogOf(Workspace ws, BuildResult result, string node)
    {
        var key = result.States.HashOf(result.Graph.Find(node)!.Index)!;
        var entry = new Recipes.Cache.CacheStore(ws.CacheDir).Actions.TryGet(key)!;
        return new Recipes.Cache.CacheStore(ws.CacheDir).Blobs.PathOf(entry.Log!);
    }

    [Theory]
    [InlineData("{ model: ddpm, channels: 8, multipliers: [1, 2], batch: 4, steps: STEPS }")]
    [InlineData("{ model: vae, channels: 8, batch: 4, steps: STEPS }")]
    [InlineData("{ model: latent-ddpm, vae_channels: 8, vae_steps: 6, channels: 8, multipliers: [1], batch: 4, steps: STEPS }")]
    [Trait("Category", "BothPaths")]
    public void ADiffusionTrainerTrainedLongerEqualsTrainingFromScratch(string train)
    {
        using var scratch = new Workspace();
        TinyDiffusionTests.Recipe(scratch, train.Replace("STEPS", "12"));
        BuildAssert.NoFailures(scratch.Build());

        using var resumed = new Workspace();
        TinyDiffusionTests.Recipe(resumed, train.Replace("STEPS", "5"));
        BuildAssert.NoFailures(resumed.Build());
        TinyDiffusionTests.Recipe(resumed, train.Replace("STEPS", "12"));
        var longer = resumed.Build();
        BuildAssert.NoFailures(longer);
        Assert.Contains("resuming from step 5", File.ReadAllText(LogOf(resumed, longer, "train")));
        Assert.Equal(Tree(Path.Combine(scratch.OutDir, "tiny-smoke", "train")), Tree(Path.Combine(resumed.OutDir, "tiny-smoke", "train")));
    }

    [Fact]
    [Trait("Category", "BothPaths")]
    public void TheHeatSurrogateTrainedForMoreEpochsEqualsTrainingFromScratch()
    {
        string[] Sets(int epochs) => ["parameters.samples=8", "stages.dataset.shard=4", $"stages.train.epochs={epochs}", "stages.train.checkpoint_every=1", "stages.train.online=false"];
        using var scratch = new Workspace();
        scratch.CopyRecipe("heat-diffusion");
        BuildAssert.NoFailures(scratch.Build("ci.yaml", Sets(4)));

        using var resumed = new Workspace();
        resumed.CopyRecipe("heat-diffusion");
        BuildAssert.NoFailures(resumed.Build("ci.yaml", Sets(2)));
        var longer = resumed.Build("ci.yaml", Sets(4));
        BuildAssert.NoFailures(longer);
        Assert.Contains("resuming from epoch 2", File.ReadAllText(LogOf(resumed, longer, "train")));
        var (a, b) = (Tree(Path.Combine(scratch.OutDir, "heat-diffusion-ci", "train")), Tree(Path.Combine(resumed.OutDir, "heat-diffusion-ci", "train")));
        Assert.Contains(Path.Combine("checkpoints", "epoch-002.safetensors"), a.Keys);
        Assert.Equal(a, b);
    }

    [Fact]
    public void AChangeOtherThanTheLengthStartsFromStepZero()
    {
        using var ws = new Workspace();
        TinyDiffusionTests.Recipe(ws, "{ model: vae, channels: 8, batch: 4, steps: 5 }");
        BuildAssert.NoFailures(ws.Build());
        TinyDiffusionTests.Recipe(ws, "{ model: vae, channels: 8, batch: 4, steps: 8, learning_rate: 0.002 }");
        var other = ws.Build();
        BuildAssert.NoFailures(other);
        Assert.DoesNotContain("resuming", File.ReadAllText(LogOf(ws, other, "train")));
    }

    /// <summary>
    /// kill -9 during training, with a checkpoint saved every second: the next build continues from the last one and
    /// ends with the bytes of a build that was never interrupted.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void AKilledTrainingContinuesFromItsLastCheckpoint()
    {
        string[] sets = ["--set", "stages.train.steps=600", "--set", "stages.train.latent_size=16", "--set", "stages.train.message_passing_steps=1",
            "--set", "stages.train.validate_every=0", "--set", "stages.train.checkpoint_seconds=1"];
        using var whole = Workspace.CopyingCache(SharedCaches.DamBreakCi);
        whole.CopyRecipe("dam-break");
        var uninterrupted = Support.Cli.Run(whole.Root, null, ["build", "ci.yaml", "--cache", whole.CacheDir, "--out", whole.OutDir, .. sets]);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Stderr);

        using var ws = Workspace.CopyingCache(SharedCaches.DamBreakCi);
        ws.CopyRecipe("dam-break");
        using (var build = Support.Cli.Start(ws.Root, null, ["build", "ci.yaml", "--cache", ws.CacheDir, "--out", ws.OutDir, .. sets]))
        {
            var checkpoints = Path.Combine(ws.CacheDir, "checkpoints");
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromMinutes(3) && !build.HasExited &&
                   !(Directory.Exists(checkpoints) && Directory.EnumerateDirectories(checkpoints, "*", SearchOption.AllDirectories).Any(d => Path.GetFileName(d).Length == 12)))
                Thread.Sleep(100);
            Assert.False(build.HasExited, "the build finished before a checkpoint was saved; nothing was interrupted");
            build.Kill(entireProcessTree: true);
            build.WaitForExit();
        }
        var again = Support.Cli.Run(ws.Root, null, ["build", "ci.yaml", "--cache", ws.CacheDir, "--out", ws.OutDir, .. sets]);
        Assert.True(again.ExitCode == 0, again.Stderr);
        // The train node's log, kept in the cache's blobs, says where it started.
        var logs = Directory.EnumerateFiles(Path.Combine(ws.CacheDir, "cas"), "*", SearchOption.AllDirectories)
            .Where(f => new FileInfo(f).Length < 1 << 20).Select(File.ReadAllText).ToList();
        Assert.Contains(logs, log => System.Text.RegularExpressions.Regex.IsMatch(log, @"resuming from step [1-9]\d* "));
        Assert.Equal(Tree(Path.Combine(whole.OutDir, "dam-break-ci", "train")), Tree(Path.Combine(ws.OutDir, "dam-break-ci", "train")));
    }
}
