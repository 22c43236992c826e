using Recipes.Plugins;

namespace Recipes.Tests.Support;

/// <summary>
/// A stand-in for a real plug-in that keeps its name, version, options and resources, so its nodes have the same keys
/// and outputs; subclasses change only how it runs (slower, reporting progress, writing to native stderr).
/// </summary>
public abstract class WrappedSolver(IStagePlugin inner) : IStagePlugin
{
    protected IStagePlugin Inner { get; } = inner;

    public string Name => Inner.Name;
    public string Stage => Inner.Stage;
    public int Version => Inner.Version;
    public string Summary => Inner.Summary;
    public IReadOnlyList<OptionSpec> Options => Inner.Options;
    public bool UsesSeed => Inner.UsesSeed;
    public IEnumerable<OptionProblem> Validate(ValueMap settings) => Inner.Validate(settings);
    public NodeResources GetResources(ValueMap settings) => Inner.GetResources(settings);
    public string? Identity(ValueMap settings, string recipeDirectory) => Inner.Identity(settings, recipeDirectory);

    public abstract Task RunAsync(PluginContext context, CancellationToken cancellationToken);
}
