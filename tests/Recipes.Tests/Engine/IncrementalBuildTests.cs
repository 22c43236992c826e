using Recipes.Execution;
using Recipes.Plugins;
using Recipes.Tests.Support;

namespace Recipes.Tests.Engine;

/// <summary>Acceptance 1–3 of the core engine: no-op rebuilds, minimal reruns and early cutoff.</summary>
public sealed class IncrementalBuildTests
{
    [Fact]
    public void SecondBuildExecutesNothing()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var first = ws.Build();
        BuildAssert.NoFailures(first);
        Assert.Equal(first.Summary.Nodes, first.Summary.Executed);
        Assert.Equal(6 + 6 + 1, first.Summary.Nodes);

        var second = ws.Build();
        Assert.Equal(0, second.Summary.Executed);
        Assert.Equal(second.Summary.Nodes, second.Summary.Cached);
    }

    [Fact]
    public void AddingAChoiceRunsOnlyTheNewGridPoints()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Build();

        SampleRecipes.Sweep(ws, space: "a: { choice: [1, 2, 3, 4] }\n    b: { choice: [x, y] }");
        var result = ws.Build();
        // Two new grid points (a=4 with b=x and b=y): render and simulate each, plus the one dataset shard.
        Assert.Equal(2, Workspace.Executed(result, StageNames.Render));
        Assert.Equal(2, Workspace.Executed(result, StageNames.Simulate));
        Assert.Equal(1, Workspace.Executed(result, StageNames.Dataset));
        Assert.Equal(8, result.Graph.Samples.Count);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("sobol")]
    public void GrowingSamplesRunsOnlyTheNewSamples(string sampler)
    {
        using var ws = new Workspace();
        const string space = "a: { uniform: [0, 1] }\n    b: { int: [1, 9] }";
        SampleRecipes.Sweep(ws, space: space, sampler: sampler, samples: 100);
        var first = ws.Build();
        Assert.Equal(100, Workspace.Executed(first, StageNames.Simulate));

        SampleRecipes.Sweep(ws, space: space, sampler: sampler, samples: 150);
        var second = ws.Build();
        Assert.Equal(50, Workspace.Executed(second, StageNames.Render));
        Assert.Equal(50, Workspace.Executed(second, StageNames.Simulate));
        BuildAssert.NoFailures(second);
    }

    [Fact]
    public void ALaterStageSettingRerunsOnlyThatStageAndDownstream()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Build();
        var result = ws.Build("recipe.yaml", "stages.dataset.result=out.txt");
        // out.txt is not JSON, so the dataset fails; what matters is that nothing upstream ran.
        Assert.Equal(0, Workspace.Executed(result, StageNames.Render));
        Assert.Equal(0, Workspace.Executed(result, StageNames.Simulate));
        Assert.Equal(1, result.Summary.Stages[StageNames.Dataset].Executed + result.Summary.Stages[StageNames.Dataset].Failed);
    }

    [Fact]
    public void ChangingTheSolverCommandRerunsSimulateAndDatasetButNotRender()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Build();
        SampleRecipes.Sweep(ws, command: "cat input.txt input.txt > out.txt && echo \"{\\\"value\\\": 1}\" > result.json");
        var result = ws.Build();
        Assert.Equal(0, Workspace.Executed(result, StageNames.Render));
        Assert.Equal(6, Workspace.Executed(result, StageNames.Simulate));
        Assert.Equal(1, Workspace.Executed(result, StageNames.Dataset));
    }

    [Fact]
    public void TemplateEditWithIdenticalRenderingRerunsRenderOnly()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Build();
        // A Scriban comment changes the template file but not the rendered text.
        ws.Write("base/input.txt.sbn", "a={{ a }} b={{ b }}{{# same output }}\n");
        var result = ws.Build();
        Assert.Equal(6, Workspace.Executed(result, StageNames.Render));
        Assert.Equal(0, Workspace.Executed(result, StageNames.Simulate));
        Assert.Equal(0, Workspace.Executed(result, StageNames.Dataset));
    }

    [Fact]
    public void ATemplateEditThatChangesOutputRerunsDownstream()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Build();
        ws.Write("base/input.txt.sbn", "a={{ a }}, b={{ b }}\n");
        var result = ws.Build();
        Assert.Equal(6, Workspace.Executed(result, StageNames.Render));
        Assert.Equal(6, Workspace.Executed(result, StageNames.Simulate));
        Assert.Equal(1, Workspace.Executed(result, StageNames.Dataset));
    }

    [Fact]
    public void ARerunWithIdenticalOutputsLeavesDownstreamCached()
    {
        using var ws = new Workspace();
        ws.Write("base/input.txt.sbn", "a={{ a }}\n");
        const string recipe = """
            recipe: cutoff
            base_case: { dir: base/ }
            parameters:
              space:
                a: { choice: [1, 2] }
            stages:
              simulate: { solver: exec, command: "COMMAND", outputs: [out.txt] }
              postprocess: { converter: exec, command: "wc -c < out.txt > size.txt", outputs: [size.txt] }
            """;
        ws.Write("recipe.yaml", recipe.Replace("COMMAND", "cat input.txt > out.txt"));
        ws.Build();
        // A different command (so simulate reruns) that writes the same bytes: postprocess keeps its key.
        ws.Write("recipe.yaml", recipe.Replace("COMMAND", "cp input.txt out.txt"));
        var result = ws.Build();
        Assert.Equal(2, Workspace.Executed(result, StageNames.Simulate));
        Assert.Equal(0, Workspace.Executed(result, StageNames.Postprocess));
        Assert.Equal(2, result.Summary.Stages[StageNames.Postprocess].Cached);
    }

    [Fact]
    public void FailedNodesFailTheBuildAndSkipDownstream()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, command: "if grep -q a=2 input.txt; then echo boom >&2; exit 3; fi; cat input.txt > out.txt; echo \"{\\\"v\\\": 1}\" > result.json");
        var result = ws.BuildWith(new BuildOptions { Jobs = 1, KeepGoing = true });
        Assert.Equal(2, result.Summary.Failed);
        Assert.Equal(ExitCodes.NodeFailed, result.Summary.ExitCode);
        Assert.Equal(4, Workspace.Executed(result, StageNames.Simulate));
        Assert.Equal(1, result.Summary.Stages[StageNames.Dataset].Skipped);
        var failure = result.Graph.Nodes.First(n => result.States.Status[n.Index] == NodeStatus.Failed);
        Assert.Contains("exited with code 3", result.States.Messages[failure.Index]);
    }

    [Fact]
    public void WithoutKeepGoingTheFirstFailureStopsNewWork()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, command: "exit 1");
        var result = ws.BuildWith(new BuildOptions { Jobs = 1 });
        Assert.Equal(1, result.Summary.Failed);
        Assert.True(Workspace.Executed(result, StageNames.Render) < 6, "renders after the failure should not start");
    }
}
