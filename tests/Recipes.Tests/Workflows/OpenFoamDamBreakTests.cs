using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Tests.Support;

namespace Recipes.Tests.Workflows;

/// <summary>Reference workflow 1 with a real simulator: OpenFOAM's damBreak (interFoam) swept over 8 variations, at a tiny mesh and a short end time.</summary>
[Trait("Category", "Slow")]
public sealed class OpenFoamDamBreakTests
{
    private static readonly string[] Small = ["base_case.params.resolution=0.5", "base_case.params.end_time=0.1", "stages.postprocess.times=[0.05, 0.1]"];

    [OpenFoamFact]
    public void TheSweepRunsEndToEndAndRerunsOnlyWhatATemplateVariableReaches()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("openfoam-dambreak");
        var first = ws.Build("recipe.yaml", Small);
        Assert.True(first.Summary.Failed == 0, string.Join("\n", first.States.Messages.Where(m => m is not null)));
        Assert.Equal(8, first.Graph.Samples.Count);
        Assert.Equal(24, first.Summary.Executed);

        var image = NpyFile.Read(Path.Combine(ws.OutDir, "openfoam-dambreak", "samples", "000000", "postprocess", "alpha.water", "0.05.npy"));
        Assert.Equal([64, 64], image.Shape);
        Assert.All(image.Data, v => Assert.InRange(v, -0.01f, 1.01f));
        Assert.Contains(image.Data, v => v > 0.9f);
        Assert.True(File.Exists(Path.Combine(ws.OutDir, "openfoam-dambreak", "samples", "000000", "postprocess", "alpha.water", "frames.png")));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.OutDir, "openfoam-dambreak", "manifest.json")))!;
        Assert.Equal(8, manifest["samples"]!.AsArray().Count);

        Assert.Equal(0, ws.Build("recipe.yaml", Small).Summary.Executed);

        // One value of one template variable: only the four samples with that viscosity rerun.
        var changed = ws.Build("recipe.yaml", [.. Small, "parameters.space.viscosity.choice.1=2.0e-5"]);
        Assert.Equal(4, Workspace.Executed(changed, StageNames.Render));
        Assert.Equal(4, Workspace.Executed(changed, StageNames.Simulate));
        Assert.Equal(4, Workspace.Executed(changed, StageNames.Postprocess));
        BuildAssert.NoFailures(changed);
    }

    [OpenFoamFact]
    public void BenchAtTwoResolutionsWritesTheTablePlotAndJson()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("openfoam-dambreak");
        var result = Support.Cli.Run(ws.Root, "bench", "recipe.yaml", "--fidelity", "resolution=0.5,1", "--samples", "2", "--devices", "cpu:1",
            "--workers", "4", "--price-per-hour", "0.5", "--set", "base_case.params.end_time=0.05", "--set", "stages.postprocess.times=[0.05]");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("resolution", result.Stdout);
        Assert.Contains("s/sample", result.Stdout);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Root, "out", "openfoam-dambreak", "bench", "bench.json")))!;
        var rows = json["rows"]!.AsArray();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.True(r!["seconds_per_sample"]!.GetValue<double>() > 0));
        Assert.True(rows[1]!["output_bytes"]!.GetValue<long>() > rows[0]!["output_bytes"]!.GetValue<long>(), "a finer mesh writes more");
        Assert.True(File.Exists(Path.Combine(ws.Root, "out", "openfoam-dambreak", "bench", "bench.png")));
    }
}
