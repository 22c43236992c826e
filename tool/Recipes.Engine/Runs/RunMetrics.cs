using System.Text.Json.Nodes;
using Recipes.Graph;

namespace Recipes.Runs;

/// <summary>
/// How a build's metrics are named wherever builds are compared (run records, <c>runs</c>, <c>diff</c>, the report):
/// the scalar leaves of the metrics of nodes that are not per sample, as <c>stage.name</c> (<c>dataset.rows</c>), or
/// <c>node-id.name</c> where a stage has several such nodes (shards) and for every node of a named target
/// (<c>evaluate/small.rollout_mse</c>, <c>train/sweep@latent_size=64.final_loss</c>).
/// </summary>
public static class RunMetrics
{
    public static IEnumerable<(GraphNode Node, string Name, JsonValue Value)> Named(IReadOnlyList<GraphNode> nodes, Func<GraphNode, JsonObject?> metricsOf)
    {
        var aggregates = nodes.Where(n => n.Sample is null).ToList();
        foreach (var node in aggregates)
        {
            if (metricsOf(node) is not { Count: > 0 } metrics) continue;
            var prefix = node.Target is null && aggregates.Count(n => n.StageName == node.StageName) == 1 ? node.StageName : node.Id;
            foreach (var (name, value) in RunParameters.Flatten(metrics))
                if (value is JsonValue scalar) yield return (node, $"{prefix}.{name}", scalar);
        }
    }
}
