using Recipes.Execution;
using Recipes.Tests.Support;

namespace Recipes.Tests.Engine;

/// <summary>
/// <c>--jobs</c> is capped in one place, the plan's slots: the graph records what a stage asks for whatever
/// <c>--jobs</c> is, and a node that asks for more than there are slots is granted them all and told so.
/// </summary>
public sealed class ThreadSlotTests
{
    [Fact]
    public void ANodeAskingForMoreThreadsThanJobsIsGrantedTheSlotsAndToldSo()
    {
        using var ws = new Workspace();
        ws.Write("recipe.yaml", """
            recipe: threads
            seed: 1
            parameters:
              sampler: grid
              space:
                a: { choice: [1, 2] }
            stages:
              simulate:
                solver: exec
                threads: 8
                command: 'echo "$RECIPES_THREADS $OMP_NUM_THREADS" > threads.txt'
                outputs: [threads.txt]
            """);

        var graph = Recipes.Graph.GraphPlanner.Plan(ws.Load());
        Assert.All(graph.Nodes, n => Assert.Equal(8, n.Resources.Threads));

        var two = ws.BuildWith(new BuildOptions { Jobs = 2 });
        Assert.Equal(2, two.Summary.Executed);
        foreach (var sample in new[] { "000000", "000001" })
            Assert.Equal("2 2", File.ReadAllText(Path.Combine(ws.OutDir, "threads", "samples", sample, "simulate", "threads.txt")).Trim());

        // The keys do not depend on --jobs: a build with one slot finds everything cached.
        var one = ws.BuildWith(new BuildOptions { Jobs = 1 });
        Assert.Equal(0, one.Summary.Executed);
        Assert.Equal(2, one.Summary.Cached);
    }
}
