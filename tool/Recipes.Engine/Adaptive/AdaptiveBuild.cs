using Recipes.Cache;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Reporting;

namespace Recipes.Adaptive;

/// <summary>
/// Builds a graph that grows as it runs: after each build of the known part, a round that just chose its samples lets
/// the planner add them (and, after the last round, the dataset, train and evaluate nodes), and the grown graph is
/// built again; what already ran is a cache hit. The result is the last graph's, with every node that ran in an earlier
/// pass counted as executed and the passes' times added.
/// </summary>
public static class AdaptiveBuild
{
    /// <param name="select">Applied to each grown graph (<c>--target</c>: the chosen targets' part of it), or null for all of it.</param>
    public static async Task<BuildResult> BuildAsync(BuildEngine engine, CacheStore cache, BuildGraph graph, BuildOptions options,
        IBuildReporter reporter, CancellationToken cancellationToken, Func<BuildGraph, BuildGraph>? select = null)
    {
        var executed = new HashSet<string>(StringComparer.Ordinal);
        var seconds = 0.0;
        while (true)
        {
            var result = await engine.BuildAsync(graph, options, reporter, cancellationToken);
            seconds += result.Summary.Seconds;
            foreach (var node in graph.Nodes)
                if (result.States.Status[node.Index] == NodeStatus.Executed) executed.Add(node.Id);
            var grown = graph.Recipe.Adaptive is null || result.Summary.Failed > 0 || result.Summary.Interrupted
                ? null
                : AdaptiveExpansion.Expand(graph.Recipe, cache).Graph;
            if (grown is not null && select is not null) grown = select(grown);
            if (grown is null || grown.Nodes.Count == graph.Nodes.Count)
            {
                foreach (var node in graph.Nodes)
                    if (executed.Contains(node.Id) && result.States.Status[node.Index] == NodeStatus.Cached) result.States.Status[node.Index] = NodeStatus.Executed;
                var summary = BuildSummary.Of(graph, result.States, seconds, result.Summary.Interrupted) with
                {
                    Remote = result.Summary.Remote,
                    Slurm = result.Summary.Slurm,
                };
                return result with { Summary = summary };
            }
            graph = grown;
        }
    }
}
