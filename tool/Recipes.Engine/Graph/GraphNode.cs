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
    /// <summary>
    /// The node's name: given, or for a sample's node (given none) its stage and sample id, made when first asked
    /// for. A probe of a million samples asks through <see cref="TryWriteId"/> and then holds the last build's record's
    /// copy of the text (<see cref="ShareId"/>), so four million nodes keep no id strings of their own.
    /// </summary>
    public string Id
    {
        get => _id ??= Sample is { } sample ? string.Concat(StageName, "/", sample.Id) : throw new InvalidOperationException("a node with neither an id nor a sample");
        init => _id = value;
    }

    private string? _id;

    /// <summary>The id's text written into <paramref name="destination"/> without making a string; false when it does not fit.</summary>
    public bool TryWriteId(Span<char> destination, out int written)
    {
        if (_id is { } id)
        {
            written = id.Length;
            return id.TryCopyTo(destination);
        }
        var sampleId = Sample!.Id;
        written = StageName.Length + 1 + sampleId.Length;
        if (written > destination.Length) return false;
        StageName.CopyTo(destination);
        destination[StageName.Length] = '/';
        sampleId.CopyTo(destination[(StageName.Length + 1)..]);
        return true;
    }

    /// <summary>Holds <paramref name="equalId"/> (the same text, kept elsewhere anyway) as the id, if none is held yet.</summary>
    internal void ShareId(string equalId)
    {
        if (_id is null && Sample is not null) Interlocked.CompareExchange(ref _id, equalId, null);
    }
    public required StageDefinition Stage { get; init; }
    public Sample? Sample { get; init; }
    /// <summary>The dataset shard's number; null for every other node.</summary>
    public int? Shard
    {
        get => _shard < 0 ? null : _shard;
        init => _shard = value ?? -1;
    }

    // An int beside Index rather than a nullable's eight bytes: four million nodes.
    private readonly int _shard = -1;

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
    /// The node's derived seed: the seed member of its spec (a plug-in that draws random numbers has one), else derived
    /// from the recipe's seed and the spec. Made when asked (when the node runs), so planning a large graph hashes no
    /// seed for plug-ins that draw no random numbers and keeps no field for one.
    /// </summary>
    public ulong Seed => Spec.Members.FirstOrDefault(m => m.Key == NodeSeed.Member) is { Value: { Length: > 2 } member }
        && ulong.TryParse(member.AsSpan(1, member.Length - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var recorded)
        ? recorded
        : NodeSeed.Derive(RecipeSeed, Spec.Members);

    /// <summary>The recipe's root seed, from which <see cref="Seed"/> is derived.</summary>
    public required long RecipeSeed { get; init; }
    public required NodeResources Resources { get; init; }

    /// <summary>Files read from outside the cache (base-case files for render).</summary>
    public IReadOnlyList<FileInput> Files { get; init; } = [];

    private NodeLinks.Store _dependencies;
    private NodeLinks.Store _dependents;

    /// <summary>The nodes this one reads, in the order its key hashes their outputs.</summary>
    public NodeLinks Dependencies => _dependencies.View;

    public NodeLinks Dependents => _dependents.View;

    /// <summary>Makes <paramref name="to"/> depend on <paramref name="from"/> (planning only; the graph is read-only after).</summary>
    internal static void Link(GraphNode from, GraphNode to)
    {
        // Planning links a sample's chain from several threads, each node's links under its own lock.
        lock (to) to._dependencies.Add(from);
        lock (from) from._dependents.Add(to);
    }

    /// <summary>Position in topological order; the executor's arrays are indexed by it.</summary>
    public int Index { get; internal set; }

    /// <summary>May start before all dependencies finish (online training); it then reads them through a feed.</summary>
    public bool Streaming { get; init; }

    public string StageName => Stage.Stage;
    public IStagePlugin Plugin => Stage.Plugin;

    public override string ToString() => Id;
}
