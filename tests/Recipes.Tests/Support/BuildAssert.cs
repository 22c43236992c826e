using Recipes.Execution;

namespace Recipes.Tests.Support;

/// <summary>
/// Build assertions that say which node failed and why: a bare "expected 0 failed, got 1" leaves an intermittent
/// failure unexplained once the run's workspace is gone.
/// </summary>
public static class BuildAssert
{
    public static void NoFailures(BuildResult result)
    {
        if (result.Summary.Failed == 0) return;
        var reasons = result.Graph.Nodes
            .Where(node => result.States.Status[node.Index] == NodeStatus.Failed)
            .Select(node => $"{node.Id}: {result.States.Messages[node.Index]}");
        Assert.Fail($"{result.Summary.Failed} node(s) failed:\n{string.Join("\n", reasons)}");
    }
}
