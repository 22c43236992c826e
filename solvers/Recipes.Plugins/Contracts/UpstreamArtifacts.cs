namespace Recipes.Plugins;

/// <summary>
/// The outputs of one upstream node as a plugin sees them. For a per-sample node it is the previous stage of the same
/// sample (or the base case for <c>render</c>); for a dataset shard one entry per sample; for train and evaluate one
/// entry per shard and model.
/// </summary>
public sealed record UpstreamArtifacts(
    string NodeId,
    string Stage,
    int? SampleIndex,
    string? SampleId,
    ValueMap Parameters,
    IReadOnlyList<Artifact> Files)
{
    /// <summary>The stage (and node id) of the entry holding a node's files from outside the cache: a base case, an exec trainer's scripts.</summary>
    public const string FilesEntry = "base_case";

    public Artifact? Find(string name) => Files.FirstOrDefault(f => f.Name == name);

    public Artifact Get(string name) =>
        Find(name) ?? throw new PluginException($"{NodeId} has no output '{name}' (it has: {string.Join(", ", Files.Select(f => f.Name))})");
}
