using System.Diagnostics;
using System.Text.Json.Nodes;
using Recipes.Adaptive;
using Recipes.Execution;
using Recipes.Tests.Support;

namespace Recipes.Tests.Adaptive;

/// <summary>
/// The adaptive sampler's rounds as an incremental graph (recipes/adaptive-wall at a small size): determinism, growth,
/// acquisition changes that reuse simulations, crash resume and status.
/// </summary>
public sealed class AdaptiveSamplingTests
{
    private static readonly string[] Small =
    [
        "parameters.adaptive.initial=8", "parameters.adaptive.batch=4", "parameters.adaptive.pool=64", "parameters.adaptive.rounds=2",
    ];

    private static string[] With(params string[] more) => [.. Small, .. more];

    private static Workspace NewWorkspace()
    {
        var ws = new Workspace();
        ws.CopyRecipe("adaptive-wall");
        return ws;
    }

    /// <summary>Sample ids in manifest order with the round that chose each.</summary>
    private static List<(string Id, int Round)> Chosen(Workspace ws) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(ws.OutDir, "adaptive-wall", "manifest.json")))!["samples"]!.AsArray()
            .Select(s => (s!["id"]!.GetValue<string>(), s["round"]!.GetValue<int>())).ToList();

    private static string Selection(Workspace ws, int round) =>
        File.ReadAllText(Path.Combine(ws.OutDir, "adaptive-wall", "select", $"round-{round:D2}", "selection.json"));

    [Fact]
    public void TwoFreshBuildsSelectIdenticalSamplesAndARebuildExecutesNothing()
    {
        using var first = NewWorkspace();
        using var second = NewWorkspace();
        var a = first.Build("recipe.yaml", Small);
        BuildAssert.NoFailures(a);
        BuildAssert.NoFailures(second.Build("recipe.yaml", Small));

        Assert.Equal(8 + 2 * 4, Chosen(first).Count);
        Assert.Equal([0, 1, 2], Chosen(first).Select(c => c.Round).Distinct().Order());
        Assert.Equal(Chosen(first), Chosen(second));
        for (var round = 1; round <= 2; round++) Assert.Equal(Selection(first, round), Selection(second, round));
        // Every node of the grown graph ran once: 16 renders and simulations, 2 rounds, 1 dataset shard.
        Assert.Equal(16 + 16 + 2 + 1, a.Summary.Executed);

        var again = first.Build("recipe.yaml", Small);
        Assert.Equal(0, again.Summary.Executed);
        Assert.Equal(a.Summary.Nodes, again.Summary.Cached);
    }

    [Fact]
    public void RaisingRoundsRunsOnlyTheNewRounds()
    {
        using var ws = NewWorkspace();
        BuildAssert.NoFailures(ws.Build("recipe.yaml", Small));
        var before = Chosen(ws);

        var grown = ws.Build("recipe.yaml", With("parameters.adaptive.rounds=4"));
        BuildAssert.NoFailures(grown);
        Assert.Equal(2, Workspace.Executed(grown, "select"));
        Assert.Equal(2, grown.Summary.Stages["select"].Cached);
        Assert.Equal(before, Chosen(ws).Take(before.Count));
        Assert.Equal(8, Chosen(ws).Count(c => c.Round >= 3));
        // Only the new rounds' samples are simulated (a point an earlier round chose is never offered again).
        Assert.Equal(8, Workspace.Executed(grown, "simulate"));
    }

    [Fact]
    public void ChangingTheAcquisitionReselectsFromRoundOneButReusesEverySimulationAlreadyRun()
    {
        using var ws = NewWorkspace();
        BuildAssert.NoFailures(ws.Build("recipe.yaml", With("parameters.adaptive.rounds=3")));
        var variance = Chosen(ws).Select(c => c.Id).ToHashSet();

        var changed = ws.Build("recipe.yaml", With("parameters.adaptive.rounds=3", "parameters.adaptive.acquisition=space-filling"));
        BuildAssert.NoFailures(changed);
        Assert.Equal(3, Workspace.Executed(changed, "select"));
        var filling = Chosen(ws).Select(c => c.Id).ToList();
        Assert.NotEqual(variance.Order(), filling.Order());
        var overlap = filling.Count(variance.Contains);
        // Simulations are keyed by parameters: every point both acquisitions chose is a cache hit, nothing else is.
        Assert.Equal(overlap, changed.Summary.Stages["simulate"].Cached);
        Assert.Equal(filling.Count - overlap, Workspace.Executed(changed, "simulate"));
        Assert.True(overlap >= 8, "the initial design is shared");
        Assert.Contains($"{overlap - 8} of them were simulated before (cache hits)", AdaptiveRounds.Reuse(changed));
    }

    [Fact]
    public void ManifestRecordsTheRoundAndScoreThatChoseEachSample()
    {
        using var ws = NewWorkspace();
        BuildAssert.NoFailures(ws.Build("recipe.yaml", Small));
        var samples = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.OutDir, "adaptive-wall", "manifest.json")))!["samples"]!.AsArray();
        foreach (var sample in samples)
        {
            var round = sample!["round"]!.GetValue<int>();
            if (round == 0)
            {
                Assert.Null(sample["score"]);
                continue;
            }
            var selection = JsonNode.Parse(Selection(ws, round))!["selected"]!.AsArray();
            var entry = selection.Single(s => s!["id"]!.GetValue<string>() == sample["id"]!.GetValue<string>())!;
            Assert.Equal(entry["score"]!.GetValue<double>(), sample["score"]!.GetValue<double>());
            Assert.InRange(sample["score"]!.GetValue<double>(), 0, 1);
        }
    }

    [Fact]
    public void StatusShowsRoundsAndExplainsWhyARoundIsStale()
    {
        using var ws = NewWorkspace();
        BuildAssert.NoFailures(ws.Build("recipe.yaml", Small));
        string Status(params string[] sets) =>
            Support.Cli.Run(ws.Root, ["status", "recipe.yaml", "--all", .. sets.SelectMany(s => new[] { "--set", s })]).Stdout;

        var upToDate = Status(Small);
        Assert.Contains("adaptive: all 2 rounds have chosen their samples; 16 samples (initial 8 + 2 × 4)", upToDate);
        Assert.Contains("up to date", upToDate);

        var more = Status(With("parameters.adaptive.rounds=3"));
        Assert.Contains("adaptive: 2 of 3 rounds have chosen; round 3 learns from 16 results and picks 4", more);
        Assert.Contains("select/round-03: new round 3: no earlier build chose samples in it", more);

        var acquisition = Status(With("parameters.adaptive.acquisition=variance-and-distance"));
        Assert.Contains("select/round-01:", acquisition);
        Assert.Contains("setting acquisition changed (\"ensemble-variance\" -> \"variance-and-distance\")", acquisition);
        Assert.Contains("adaptive: 0 of 2 rounds have chosen; round 1 learns from 8 results", acquisition);

        var graph = Support.Cli.Run(ws.Root, ["graph", "recipe.yaml", .. Small.SelectMany(s => new[] { "--set", s })]).Stdout;
        Assert.Contains("select x2 (adaptive-select)", graph);
        var valid = Support.Cli.Run(ws.Root, ["validate", "recipe.yaml", .. Small.SelectMany(s => new[] { "--set", s })]).Stdout;
        Assert.Contains("valid (8 initial samples, then 2 rounds of 4: 16 in all", valid);
    }

    [Fact]
    public void KillNineMidRoundResumesToTheSameSamples()
    {
        using var reference = NewWorkspace();
        BuildAssert.NoFailures(reference.Build("recipe.yaml", Small));

        using var ws = NewWorkspace();
        // The same simulation made slow, so the kill lands while a round's samples run.
        string[] sets = [.. Small, "stages.simulate.command=sleep 0.3; awk -f wall.awk case.ini"];
        var args = new List<string> { "build", "recipe.yaml", "--jobs", "2" };
        foreach (var set in sets) args.AddRange(["--set", set]);
        using (var process = Support.Cli.Start(ws.Root, null, [.. args]))
        {
            var clock = Stopwatch.StartNew();
            // Past the initial design (8 renders and 8 simulations and round 1): a round's samples are running.
            while (Entries(ws) < 20)
            {
                Assert.False(process.HasExited, "the build ended before it could be killed");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "the build made no progress");
                Thread.Sleep(50);
            }
            process.Kill(entireProcessTree: false);
            process.WaitForExit();
        }
        var resumed = Support.Cli.Run(ws.Root, [.. args, "--json"]);
        Assert.Equal(0, resumed.ExitCode);
        var summary = JsonNode.Parse(resumed.LastLine)!;
        Assert.True(summary["cached"]!.GetValue<int>() >= 17, $"only {summary["cached"]} nodes were kept from before the kill");
        Assert.Equal(Chosen(reference), Chosen(ws));
    }

    private static int Entries(Workspace ws) => StoredEntries.Count(ws.CacheDir);

    [Fact]
    public void AResultWithoutTheTargetFailsTheRoundWithOneLineNamingTheSetting()
    {
        using var ws = NewWorkspace();
        var result = ws.Build("recipe.yaml", With("parameters.adaptive.target=height"));
        Assert.Equal(1, result.Summary.Failed);
        var failed = result.Graph.Nodes.Single(n => result.States.Status[n.Index] == NodeStatus.Failed);
        Assert.Equal("select/round-01", failed.Id);
        var message = result.States.Messages[failed.Index]!;
        Assert.Contains("result.json has no finite number 'height'; set parameters.adaptive.target", message);
        Assert.DoesNotContain('\n', message);
    }
}
