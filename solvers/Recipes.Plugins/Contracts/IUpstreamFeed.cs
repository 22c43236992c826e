namespace Recipes.Plugins;

/// <summary>
/// Upstream outputs that arrive while a streaming node already runs. Entries keep the order of
/// <see cref="PluginContext.Upstream"/>'s node ids; a plugin that waits for entry i gets the same data whether it came
/// early or late, which keeps its results independent of timing.
/// </summary>
public interface IUpstreamFeed
{
    int Count { get; }

    /// <summary>Entries already available, without waiting.</summary>
    int Available { get; }

    Task<UpstreamArtifacts> WaitAsync(int index, CancellationToken cancellationToken);
}
