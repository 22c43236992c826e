using Recipes.Plugins;

namespace Recipes.Tests.Support;

/// <summary>Wraps a solver with a delay but keeps its name and version, so its nodes have the same keys and outputs.</summary>
public sealed class SlowSolver(IStagePlugin inner, TimeSpan delay) : WrappedSolver(inner)
{
    public override async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        await Inner.RunAsync(context, cancellationToken);
    }
}
