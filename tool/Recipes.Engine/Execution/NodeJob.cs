using Recipes.Graph;
using Recipes.Plugins;

namespace Recipes.Execution;

/// <summary>
/// Everything an executor needs to run one node, and nothing of the engine's state: the node, its key (known now, or
/// later for a node started before its inputs were done), its inputs, the build's options and a progress sink.
/// </summary>
/// <param name="Upstream">The inputs when all are known at start; null for an early node, which reads <paramref name="Feed"/>.</param>
public sealed record NodeJob(GraphNode Node, Task<ActionKey> Key, IReadOnlyList<UpstreamArtifacts>? Upstream, UpstreamFeed Feed,
    BuildOptions Options, IProgress<double>? Progress = null)
{
    /// <summary>A job whose key and inputs are all known.</summary>
    public static NodeJob Ready(GraphNode node, ActionKey key, IReadOnlyList<UpstreamArtifacts> upstream, BuildOptions options, IProgress<double>? progress = null) =>
        new(node, Task.FromResult(key), upstream, UpstreamFeed.Full(upstream), options, progress);
}
