using Recipes.Plugins;
using TorchSharp;

namespace Recipes.Training;

/// <summary>
/// Base of the stages that run libtorch. libtorch's random generator and thread count are one per process, so such
/// nodes run one at a time in a process (a seeded node must not share the generator with another), each with libtorch
/// loaded, its threads set from <c>torch_threads</c> and, for seeded stages, the generator seeded from the node's seed.
/// </summary>
public abstract class TorchStagePlugin : StagePlugin
{
    /// <summary>Held while a libtorch stage runs; tests that seed libtorch hold it too.</summary>
    public static readonly SemaphoreSlim ProcessLock = new(1, 1);

    public sealed override async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        await ProcessLock.WaitAsync(cancellationToken);
        try
        {
            TorchRuntime.EnsureLoadable();
            torch.set_num_threads(context.Settings.GetInt("torch_threads", 2));
            if (UsesSeed) torch.manual_seed(unchecked((long)context.Seed));
            await RunTorchAsync(context, cancellationToken);
        }
        finally
        {
            ProcessLock.Release();
        }
    }

    protected abstract Task RunTorchAsync(PluginContext context, CancellationToken cancellationToken);
}
