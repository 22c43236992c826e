using System.Text.Json.Nodes;

namespace Recipes.Plugins;

/// <summary>Everything one node's run may use. Files written under <see cref="OutputDirectory"/> become its outputs.</summary>
public sealed class PluginContext
{
    public required string NodeId { get; init; }
    public required string Stage { get; init; }

    /// <summary>
    /// The node's action key (hex), for provenance a plug-in writes into its outputs; null for a node started before
    /// its inputs are all done (its key is not known yet). The outputs stay a function of the key, since it is the key.
    /// </summary>
    public string? Key { get; init; }

    /// <summary>The stage settings from the recipe, with the plugin's defaults filled in.</summary>
    public required ValueMap Settings { get; init; }

    /// <summary>The sample's parameters (base-case constants, sampled and derived values); empty for aggregate nodes.</summary>
    public required ValueMap Parameters { get; init; }

    /// <summary>Derived from the node's key inputs, so a rerun draws the same numbers.</summary>
    public required ulong Seed { get; init; }

    public required IReadOnlyList<UpstreamArtifacts> Upstream { get; init; }

    /// <summary>Scratch space, removed after the run.</summary>
    public required string WorkDirectory { get; init; }

    public required string OutputDirectory { get; init; }

    /// <summary>Kept in the cache beside the outputs; its tail is printed when the node fails.</summary>
    public required TextWriter Log { get; init; }

    /// <summary>Deterministic figures about the run (iterations, residual, loss); they land in the manifest.</summary>
    public required IDictionary<string, JsonNode?> Metrics { get; init; }

    public required int Threads { get; init; }

    /// <summary><c>auto</c>, <c>cpu</c> or <c>cuda</c>, from <c>--device</c> or the recipe.</summary>
    public required DeviceKind Device { get; init; }

    /// <summary>Fraction done in [0,1], for progress display.</summary>
    public IProgress<double>? Progress { get; init; }

    /// <summary>Set for nodes that start before all their inputs exist (online training); see <see cref="IUpstreamFeed"/>.</summary>
    public IUpstreamFeed? Feed { get; init; }

    /// <summary>For a resumable trainer (<see cref="IResumableTrainer"/>) whose inputs are known: its checkpoints; else null.</summary>
    public ITrainingCheckpoints? Checkpoints { get; init; }

    public IEnumerable<Artifact> InputFiles => Upstream.SelectMany(u => u.Files);

    public string OutputPath(string name)
    {
        var path = Path.Combine(OutputDirectory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
