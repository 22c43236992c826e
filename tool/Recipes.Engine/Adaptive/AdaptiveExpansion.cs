using Recipes.Cache;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Recipe;

namespace Recipes.Adaptive;

/// <summary>
/// Plans an adaptive sweep as far as the cache knows it: the initial design, then each round whose selection is cached
/// adds its samples, up to the first round not chosen yet, whose node the graph then ends with (the dataset, train and
/// evaluate nodes join once every round has chosen). Like Snakemake's checkpoints, but decided by content: a round is
/// known when its action key, which holds every result it learns from, is in the cache, not by file times.
/// </summary>
public static class AdaptiveExpansion
{
    public sealed record Expanded(BuildGraph Graph, int ChosenRounds);

    /// <summary>The graph a command starts from: the plain plan, or for an adaptive sweep as far as the cache knows it.</summary>
    public static BuildGraph Plan(RecipeDefinition recipe, CacheStore cache) =>
        recipe.Adaptive is null ? GraphPlanner.Plan(recipe) : Expand(recipe, cache).Graph;

    public static Expanded Expand(RecipeDefinition recipe, CacheStore cache)
    {
        var adaptive = recipe.Adaptive ?? throw new ArgumentException("the recipe's sampler is not adaptive", nameof(recipe));
        var samples = recipe.Samples.ToList();
        var sobol = AdaptiveRounds.Sequence(recipe);
        var scan = new CacheScan(cache);
        for (var chosen = 0; chosen < adaptive.Rounds; chosen++)
        {
            var graph = GraphPlanner.Plan(recipe, samples, new AdaptiveFrontier(chosen));
            var selection = CachedSelection(scan, cache, graph, chosen + 1);
            if (selection is null) return new Expanded(graph, chosen);
            samples.AddRange(AdaptiveRounds.SamplesOf(recipe, selection, sobol));
        }
        return new Expanded(GraphPlanner.Plan(recipe, samples, new AdaptiveFrontier(adaptive.Rounds)), adaptive.Rounds);
    }

    /// <summary>Round <paramref name="round"/>'s selection when its node is up to date in the cache, else null.</summary>
    private static AdaptiveSelection? CachedSelection(CacheScan scan, CacheStore cache, BuildGraph graph, int round)
    {
        var node = graph.Find(AdaptiveRounds.NodeId(round));
        if (node is null) return null;
        var states = scan.Probe(graph);
        if (!states.IsDone(node.Index)) return null;
        var output = states.Outputs[node.Index]?.FirstOrDefault(o => o.Name == AdaptiveSelection.FileName);
        var selection = output is null ? null : AdaptiveSelection.TryRead(cache.Blobs.PathOf(output.Hash));
        return selection is not null && selection.Round == round ? selection : null;
    }
}
