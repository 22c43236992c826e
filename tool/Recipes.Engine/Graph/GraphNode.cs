using Recipes.Plugins;
using Recipes.Recipe;
using Recipes.Sampling;

namespace Recipes.Graph;

/// <summary>
/// One unit of work: a stage applied to one sample (per-sample stages), to one shard of samples (dataset), or to the
/// whole dataset (train, evaluate). Its canonical <see cref="Spec"/> and its inputs' hashes make its action key.
/// </summary>
public sealed class GraphNode
{
    public required string Id { get; init; }
    public required StageDefinition Stage { get; init; }
    public Sample? Sample { get; init; }
    public int? Shard { get; init; }

    /// <summary>
    /// For a resumable trainer (<see cref="Plugins.IResumableTrainer"/>): its spec without the length setting, which with
    /// its inputs names the family of runs whose checkpoints it may start from; null otherwise.
    /// </summary>
    public NodeSpec? ResumeFamily { get; init; }

    /// <summary>The named target (and sweep point) of a train or evaluate node; null for the unnamed target and every other node.</summary>
    public Targets.TargetRef? Target { get; init; }

    /// <summary>Settings as the plugin sees them (the stage's, plus node-specific values such as the template list).</summary>
    public required ValueMap Settings { get; init; }

    /// <summary>Canonical JSON of everything but the input files that decides the outputs.</summary>
    public required NodeSpec Spec { get; init; }

    /// <summary>
    /// The node's derived seed, from the recipe's seed and the spec without its seed member; computed when first asked
    /// for (when the node runs), so planning a large graph hashes no seed for plug-ins that draw no random numbers.
    /// </summary>
    public ulong Seed => _seed ??= Spec.Members.FirstOrDefault(m => m.Key == NodeSeed.Member) is { Value: { Length: > 2 } member }
        && ulong.TryParse(member.AsSpan(1, member.Length - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var recorded)
        ? recorded
        : NodeSeed.Derive(RecipeSeed, Spec.Members);

    private ulong? _seed;

    /// <summary>The recipe's root seed, from which <see cref="Seed"/> is derived.</summary>
    public required long RecipeSeed { get; init; }
    public required NodeResources Resources { get; init; }

    /// <summary>Files read from outside the cache (base-case files for render).</summary>
    public IReadOnlyList<FileInput> Files { get; init; } = [];

    public List<GraphNode> Dependencies { get; } = [];
    public List<GraphNode> Dependents { get; } = [];

    /// <summary>Position in topological order; the executor's arrays are indexed by it.</summary>
    public int Index { get; internal set; }

    /// <summary>May start before all dependencies finish (online training); it then reads them through a feed.</summary>
    public bool Streaming { get; init; }

    public string StageName => Stage.Stage;
    public IStagePlugin Plugin => Stage.Plugin;

    public override string ToString() => Id;
}
