using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Cli;
using Recipes.Execution;
using Recipes.Runs;

namespace Recipes.Report;

/// <summary>
/// The recipe's named targets as the cache holds them now: every point's metrics, whichever build made them (a whole
/// build, <c>--target</c> builds, another machine's through a shared cache), and whether it is built. What the report's
/// targets section and <c>recipes runs --targets RECIPE</c> show.
/// </summary>
public static class TargetsView
{
    public static IReadOnlyList<TargetComparison> FromCache(RecipeSession session)
    {
        var states = new CacheScan(session.Cache).Probe(session.Graph);
        var entries = new Dictionary<string, ActionEntry>(StringComparer.Ordinal);
        foreach (var node in session.Graph.Nodes)
            if (node.Target is not null && states.HashOf(node.Index) is { } key && session.Cache.Actions.TryGet(key) is { } entry)
                entries[node.Id] = entry;
        return Of(session, states, entries);
    }

    public static IReadOnlyList<TargetComparison> Of(RecipeSession session, NodeStates states, IReadOnlyDictionary<string, ActionEntry> entries)
    {
        if (session.Recipe.Targets.Count == 0) return [];
        var metrics = new JsonObject();
        foreach (var (_, name, value) in RunMetrics.Named(session.Graph.Nodes, n => entries.GetValueOrDefault(n.Id)?.Metrics))
            metrics[name] = value.DeepClone();
        string? Status(string id) => session.Graph.Find(id) is { } node && states.IsDone(node.Index) ? "built" : null;
        return TargetComparison.Of([.. session.Recipe.Targets.Select(RunTarget.From)], metrics, Status);
    }
}
