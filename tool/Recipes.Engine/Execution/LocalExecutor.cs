using Recipes.Cache;
using Recipes.Graph;

namespace Recipes.Execution;

/// <summary>Runs nodes in this process, within the engine's <c>--jobs</c> slots.</summary>
public sealed class LocalExecutor : INodeExecutor
{
    private readonly NodeRunner _runner;

    public LocalExecutor(CacheStore cache) => _runner = new NodeRunner(cache);

    public bool SupportsStreaming => true;

    public Task<NodeResult> RunAsync(GraphNode node, Task<(string Key, List<KeyValuePair<string, string>> Inputs)> key, NodeStates states,
        BuildOptions options, IProgress<double>? progress, UpstreamFeed? feed, CancellationToken cancellationToken) =>
        _runner.RunAsync(node, key, states, options, progress, feed, cancellationToken);

    public Task FinishAsync(bool interrupted) => Task.CompletedTask;
}
