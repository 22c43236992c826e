namespace Recipes.Execution;

/// <summary>
/// Who runs a stale node once the engine decided it must run: this process (<see cref="LocalExecutor"/>) or a cluster
/// scheduler. Either way the result ends in the cache under the node's key; the engine never learns how.
/// </summary>
public interface INodeExecutor
{
    /// <summary>Whether a node may start before its inputs are all done (online training needs a shared process).</summary>
    bool SupportsStreaming { get; }

    Task<NodeResult> RunAsync(NodeJob job, CancellationToken cancellationToken);

    /// <summary>Called once when the build ends, interrupted or not: release what is left (a cluster's queued jobs).</summary>
    Task FinishAsync(bool interrupted);
}
