using Recipes.Diagnostics;
using Recipes.Graph;
using Recipes.Plugins;
using Recipes.Recipe;

namespace Recipes.Targets;

/// <summary>
/// <c>build --target NAME</c>: a target's train and evaluate nodes (every point of a sweep, or <c>NAME@POINT</c> for
/// one) and everything they depend on, nothing else. <c>default</c> names the target of <c>stages.train</c>.
/// </summary>
public static class TargetSelection
{
    /// <summary>What <c>--target</c> accepts for this recipe: <c>default</c> when it has stages.train, then each target.</summary>
    public static IReadOnlyList<string> Names(RecipeDefinition recipe) =>
        [.. recipe.Stage(StageNames.Train) is null ? [] : new[] { TrainingTarget.DefaultName }, .. recipe.Targets.Select(t => t.Name)];

    /// <summary>Throws a <see cref="RecipeException"/> (exit 2) naming the first requested target the recipe lacks.</summary>
    public static void Check(RecipeDefinition recipe, IReadOnlyList<string> requested)
    {
        var names = Names(recipe);
        foreach (var (name, position) in requested.Select((n, i) => (n, i)))
        {
            var target = name.Split('@', 2)[0];
            var at = SourceLocation.CommandLine(position + 1);
            if (names.Count == 0)
                throw new RecipeException(at, $"--target {name}: {recipe.Name} trains nothing (no stages.train, no targets:); build it without --target");
            if (!names.Contains(target))
                throw new RecipeException(at, $"--target {name}: {recipe.Name} has no target '{target}'{Suggestions.DidYouMean(target, names)}; its targets: {string.Join(", ", names)}");
            if (name.Contains('@') && !recipe.Targets.Any(t => t.Name == target && t.Points.Any(p => $"{t.Name}@{p.Label}" == name)))
                throw new RecipeException(at, $"--target {name}: '{target}' has no sweep point '{name[(target.Length + 1)..]}'; recipes graph {DisplayPath.Of(recipe.RecipePath)} --expand lists them");
        }
    }

    /// <summary>
    /// What out/ shows after building a part of the recipe: the whole recipe as the cache now holds it (the other
    /// targets' results stay in place where they are still valid), not just the part that was built.
    /// </summary>
    public static Execution.BuildResult WholeView(Execution.BuildEngine engine, Execution.BuildResult built)
    {
        if (!built.Graph.IsPart) return built;
        var whole = Adaptive.AdaptiveExpansion.Plan(built.Graph.Recipe, engine.Cache);
        return built with { Graph = whole, States = engine.Scan.Probe(whole) };
    }

    public static bool Selects(GraphNode node, IReadOnlyList<string> requested) =>
        node.StageName is StageNames.Train or StageNames.Evaluate && requested.Any(name =>
            node.Target is null ? name == TrainingTarget.DefaultName
            : name.Contains('@') ? node.Target.Label == name : node.Target.Name == name);

    /// <summary>
    /// The requested targets' nodes and their dependencies. A graph that holds no train or evaluate node yet (an adaptive
    /// sweep whose rounds are still choosing) is returned whole: its samples come first whichever target is wanted.
    /// </summary>
    public static BuildGraph Select(BuildGraph graph, IReadOnlyList<string> requested)
    {
        if (requested.Count == 0) return graph;
        var chosen = graph.Nodes.Where(n => Selects(n, requested)).Select(n => n.Id).ToList();
        if (chosen.Count == 0 && !graph.Nodes.Any(n => n.StageName is StageNames.Train or StageNames.Evaluate)) return graph;
        return graph.Subset(chosen);
    }
}
