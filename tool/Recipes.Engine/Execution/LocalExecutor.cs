namespace Recipes.Execution;

/// <summary>Runs nodes in this process, within the engine's <c>--jobs</c> slots.</summary>
public sealed class LocalExecutor(NodeRunner runner) : INodeExecutor
{
    public bool SupportsStreaming => true;

    public Task<NodeResult> RunAsync(NodeJob job, CancellationToken cancellationToken) => runner.RunAsync(job, cancellationToken);

    public Task FinishAsync(bool interrupted) => Task.CompletedTask;
}
