namespace Recipes.Runs;

/// <summary>
/// One node in a run: how it ended (executed, cached, failed, skipped, cancelled, pending), its action key when known,
/// and for a node that ran, its wall time and the peak resident memory sampled while it ran (see <see cref="MemorySampler"/>).
/// <see cref="Sample"/> is the identity of a per-sample node's sample (<see cref="Sampling.SampleIdentity"/>), by which
/// diff matches samples across runs; null for other nodes and in records written before it was kept.
/// </summary>
public sealed record RunNode(string Id, string Stage, string Status, string? Key, double? Seconds, long? PeakRssBytes)
{
    public string? Sample { get; init; }
    /// <summary>When a node that ran started and ended (UTC); null for nodes taken from the cache and in older records.</summary>
    public DateTime? Started { get; init; }
    public DateTime? Ended { get; init; }
}
