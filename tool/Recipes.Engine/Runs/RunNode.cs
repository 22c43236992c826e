namespace Recipes.Runs;

/// <summary>
/// One node in a run: how it ended (executed, cached, failed, skipped, cancelled, pending), its action key when known,
/// and for a node that ran, its wall time and the peak resident memory sampled while it ran (see <see cref="MemorySampler"/>).
/// </summary>
public sealed record RunNode(string Id, string Stage, string Status, string? Key, double? Seconds, long? PeakRssBytes)
{
    /// <summary>When a node that ran started and ended (UTC); null for nodes taken from the cache and in older records.</summary>
    public DateTime? Started { get; init; }
    public DateTime? Ended { get; init; }
}
