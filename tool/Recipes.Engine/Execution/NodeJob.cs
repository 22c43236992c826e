using Recipes.Graph;
using Recipes.Plugins;

namespace Recipes.Execution;

/// <summary>
/// Everything an executor needs to run one node, and nothing of the engine's state: the node, its key (known now, or
/// later for a node started before its inputs were done), its inputs, the build's device and a progress sink. It
/// carries the one build option a node reads (the device, where its stage names none), not the build's options.
/// </summary>
/// <param name="Upstream">The inputs when all are known at start; null for an early node, which reads <paramref name="Feed"/>.</param>
/// <param name="Device">The build's device (--device or execution.device); a stage's own device setting wins.</param>
/// <param name="Threads">The CPU slots the plan granted (what the stage asked for, at most <c>--jobs</c>); the node is told this.</param>
public sealed record NodeJob(GraphNode Node, Task<ActionKey> Key, IReadOnlyList<UpstreamArtifacts>? Upstream, UpstreamFeed Feed,
    DeviceKind Device, int Threads, IProgress<double>? Progress = null)
{
    /// <summary>A job whose key and inputs are all known.</summary>
    public static NodeJob Ready(GraphNode node, ActionKey key, IReadOnlyList<UpstreamArtifacts> upstream, DeviceKind device, int threads, IProgress<double>? progress = null) =>
        new(node, Task.FromResult(key), upstream, UpstreamFeed.Full(upstream), device, threads, progress);
}
