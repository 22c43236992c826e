using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Cli;

/// <summary>
/// Samples are known by their parameter values, not their positions: after a sampler change, <c>status</c> and
/// <c>diff</c> count new samples, samples no longer in the space and changed ones, and never say a parameter changed for
/// a sample that only moved. Each case asserts the exact lines on the quickstart sweep (3 angles x 2 speeds x 3 drags).
/// </summary>
public sealed class SampleIdentityTests
{
    private static Workspace Built()
    {
        var ws = new Workspace();
        ws.CopyRecipe("quickstart");
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
        return ws;
    }

    /// <summary>Status's text below its "project:" line.</summary>
    private static string[] Status(Workspace ws, params string[] sets)
    {
        var result = Support.Cli.Run(ws.Root, ["status", "recipe.yaml", .. sets.SelectMany(s => new[] { "--set", s })]);
        Assert.Equal(0, result.ExitCode);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).SkipWhile(l => !l.StartsWith("quickstart:", StringComparison.Ordinal)).ToArray();
    }

    [Fact]
    public void RefiningTheGridCountsOnlyTheNewValuesAsNewSamples()
    {
        using var ws = Built();
        // drag 0, 0.05, 0.1 -> 0, 1/30, 2/30, 0.1: the samples at 0 and 0.1 stay (12), those at 1/30 and 2/30 are new (12),
        // those at 0.05 leave (6); positions shift for almost every sample.
        Assert.Equal(
        [
            "quickstart: 25 of 49 nodes stale",
            "  samples: 12 new, 6 no longer in the space, 0 changed, 12 unchanged",
            "  render: 12 stale",
            "    12 nodes (render/000001 ... render/000022): new sample",
            "  simulate: 12 stale",
            "    12 nodes (simulate/000001 ... simulate/000022): new sample; upstream render/<same sample> will run; this node reruns unless its inputs come out identical",
            "  dataset: 1 stale",
            "    dataset/shard-0000: shard samples changed (12 new, 6 no longer in the space); upstream simulate/000001 will run (and 11 more); this node reruns unless its inputs come out identical",
        ], Status(ws, "parameters.space.drag.steps=4"));
    }

    [Fact]
    public void CoarseningTheGridRebuildsOnlyTheDatasetAndDiffSaysWhichSamplesLeft()
    {
        using var ws = Built();
        string[] coarser = ["parameters.space.drag.steps=2"];
        Assert.Equal(
        [
            "quickstart: 1 of 25 nodes stale",
            "  samples: 0 new, 6 no longer in the space, 0 changed, 12 unchanged",
            "  dataset: 1 stale",
            "    dataset/shard-0000: shard samples changed (6 no longer in the space); upstream outputs: 12 no longer read",
        ], Status(ws, coarser));

        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--set", coarser[0]).ExitCode);
        var diff = JsonNode.Parse(Support.Cli.Run(ws.Root, "diff", "HEAD~1", "HEAD", "--json").LastLine)!;
        Assert.Equal(0, diff["samples"]!["new"]!.GetValue<int>());
        Assert.Equal(6, diff["samples"]!["gone"]!.GetValue<int>());
        Assert.Equal(12, diff["samples"]!["unchanged"]!.GetValue<int>());
        var nodes = diff["nodes"]!.AsArray().Select(n => (Id: n!["id"]!.GetValue<string>(), Change: n["change"]!.GetValue<string>(),
            Reasons: string.Join("; ", n["reasons"]!.AsArray().Select(r => r!.GetValue<string>())))).ToList();
        // The six samples with drag 0.05 were at positions 1, 4, 7, 10, 13 and 16; every other sample moved and is not listed.
        Assert.Equal(["render/000001", "render/000004", "render/000007", "render/000010", "render/000013", "render/000016"],
            nodes.Where(n => n.Change == "only_a" && n.Id.StartsWith("render/", StringComparison.Ordinal)).Select(n => n.Id));
        Assert.All(nodes.Where(n => n.Change == "only_a"), n => Assert.Equal("sample no longer in the space", n.Reasons));
        Assert.Equal(("changed", "shard samples changed (6 no longer in the space); upstream outputs: 12 no longer read"),
            nodes.Where(n => n.Id == "dataset/shard-0000").Select(n => (n.Change, n.Reasons)).Single());
        Assert.Equal(13, nodes.Count);

        var text = Support.Cli.Run(ws.Root, "diff", "HEAD~1", "HEAD").Stdout;
        Assert.Contains("samples: 0 new, 6 no longer in the space, 0 changed, 12 unchanged", text);
        Assert.DoesNotContain("parameter", text.Split('\n').Where(l => l.Contains("(only a)") || l.Contains("(changed)")).DefaultIfEmpty("").Aggregate(string.Concat));
    }

    [Fact]
    public void TheManifestNamesEachSampleByItsValuesBesideItsPosition()
    {
        using var ws = Built();
        static Dictionary<string, string> Identities(Workspace ws) =>
            JsonNode.Parse(File.ReadAllText(ws.Path_("out/quickstart/manifest.json")))!["samples"]!.AsArray()
                .ToDictionary(s => s!["parameters"]!.ToJsonString(), s => s!["sample"]!.GetValue<string>());
        var before = Identities(ws);
        Assert.Equal(18, before.Values.Distinct().Count());
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--set", "parameters.space.drag.steps=4").ExitCode);
        var after = Identities(ws);
        // The 12 samples at drag 0 and 0.1 moved to other ids and kept their identity; the 12 new ones have new ones.
        var kept = after.Keys.Intersect(before.Keys).ToList();
        Assert.Equal(12, kept.Count);
        Assert.All(kept, p => Assert.Equal(before[p], after[p]));
        Assert.Equal(12, after.Values.Except(before.Values).Count());
    }

    [Fact]
    public void RemovingAChoiceCountsItsSamplesAsGone()
    {
        using var ws = Built();
        Assert.Equal(
        [
            "quickstart: 1 of 25 nodes stale",
            "  samples: 0 new, 6 no longer in the space, 0 changed, 12 unchanged",
            "  dataset: 1 stale",
            "    dataset/shard-0000: shard samples changed (6 no longer in the space); upstream outputs: 12 no longer read",
        ], Status(ws, "parameters.space.angle.choice=[30, 60]"));
    }

    [Fact]
    public void ReorderingTheSpaceChangesNoSample()
    {
        using var ws = Built();
        Assert.Equal(
        [
            "quickstart: 1 of 37 nodes stale",
            "  dataset: 1 stale",
            "    dataset/shard-0000: shard samples reordered; the same upstream outputs in another order",
        ], Status(ws, "parameters.space.angle.choice=[60, 45, 30]"));
    }

    [Fact]
    public void ASampleThatMovedIsExplainedAgainstItsOwnLastBuild()
    {
        using var ws = Built();
        // A template edit and a refined grid at once: the kept samples are "changed" (their file changed), not new, and
        // none is said to have a parameter changed although nearly all sit at new positions.
        ws.Write("base/case.ini.sbn", File.ReadAllText(ws.Path_("base/case.ini.sbn")) + "# edited\n");
        var lines = Status(ws, "parameters.space.drag.steps=4");
        Assert.Equal("  samples: 12 new, 6 no longer in the space, 12 changed, 0 unchanged", lines[1]);
        Assert.DoesNotContain(lines, l => l.Contains("parameter ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("    12 nodes (render/000000 ... render/000023): file base/case.ini.sbn changed at line", StringComparison.Ordinal));
    }

    [Fact]
    public void GrowingASobolSweepKeepsItsFirstSamples()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, space: "a: { uniform: [0, 1] }\n    b: { uniform: [0, 1] }", sampler: "sobol", samples: 4);
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
        var status = Support.Cli.Run(ws.Root, "status", "recipe.yaml", "--set", "parameters.samples=8");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("  samples: 4 new, 0 no longer in the space, 0 changed, 4 unchanged\n", status.Stdout);
        Assert.Contains("    4 nodes (render/000004 ... render/000007): new sample\n", status.Stdout);
    }
}
