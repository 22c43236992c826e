namespace Recipes.Plugins;

/// <summary>Defaults for <see cref="IStagePlugin"/> so an implementation states only what is particular to it.</summary>
public abstract class StagePlugin : IStagePlugin
{
    public abstract string Name { get; }
    public abstract string Stage { get; }
    public abstract int Version { get; }
    public abstract string Summary { get; }
    public virtual IReadOnlyList<OptionSpec> Options => [];
    public virtual bool UsesSeed => false;

    public virtual IEnumerable<OptionProblem> Validate(ValueMap settings) => [];

    public virtual NodeResources GetResources(ValueMap settings) => NodeResources.OneThread;

    public virtual string? Identity(ValueMap settings, string recipeDirectory) => null;

    public abstract Task RunAsync(PluginContext context, CancellationToken cancellationToken);
}
