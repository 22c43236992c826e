namespace Recipes.Plugins;

/// <summary>
/// One implementation of one stage, registered by name (a solver, an augmenter, a dataset writer, a trainer).
/// It sees its settings, the sample's parameters, its input files and a directory to write outputs to;
/// it never sees the cache, the graph or the recipe file.
/// </summary>
public interface IStagePlugin
{
    /// <summary>The name recipes select it by, e.g. <c>heat2d</c>.</summary>
    string Name { get; }

    /// <summary>The stage it implements, one of <see cref="StageNames"/>.</summary>
    string Stage { get; }

    /// <summary>Bump whenever the outputs for the same inputs change: every node it ran becomes stale.</summary>
    int Version { get; }

    string Summary { get; }

    /// <summary>The settings it reads from <c>stages.&lt;stage&gt;</c>; the engine validates against them and documents them.</summary>
    IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Whether it draws random numbers: then the node's derived seed enters its action key.</summary>
    bool UsesSeed { get; }

    /// <summary>Checks between settings that a per-option type check cannot express; each entry names the option.</summary>
    IEnumerable<OptionProblem> Validate(ValueMap settings);

    /// <summary>
    /// What one node of this stage asks for, whatever <c>--jobs</c> is: the build grants at most <c>--jobs</c> CPU
    /// slots (its plan is the one place that caps) and tells the node what it got in <see cref="PluginContext.Threads"/>.
    /// </summary>
    NodeResources GetResources(ValueMap settings);

    /// <summary>
    /// The identity of what runs outside this program (an external simulator's version or executable hash), or null.
    /// It enters every node's action key, so upgrading the simulator makes its nodes stale. Called once per build.
    /// </summary>
    string? Identity(ValueMap settings, string recipeDirectory);

    Task RunAsync(PluginContext context, CancellationToken cancellationToken);
}
