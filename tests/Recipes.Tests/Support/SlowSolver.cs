using Recipes.Plugins;

namespace Recipes.Tests.Support;

/// <summary>Wraps a solver with a delay but keeps its name and version, so its nodes have the same keys and outputs.</summary>
public sealed class SlowSolver(IStagePlugin inner, TimeSpan delay) : IStagePlugin
{
    public string Name => inner.Name;
    public string Stage => inner.Stage;
    public int Version => inner.Version;
    public string Summary => inner.Summary;
    public IReadOnlyList<OptionSpec> Options => inner.Options;
    public bool UsesSeed => inner.UsesSeed;
    public IEnumerable<OptionProblem> Validate(ValueMap settings) => inner.Validate(settings);
    public NodeResources GetResources(ValueMap settings, int jobs) => inner.GetResources(settings, jobs);
    public string? Identity(ValueMap settings, string recipeDirectory) => inner.Identity(settings, recipeDirectory);

    public async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        await inner.RunAsync(context, cancellationToken);
    }
}
