namespace Recipes.Report;

/// <summary>What the report shows of a recorded run: its id, status and time, per-node peak memory, metrics by "node/metric".</summary>
public sealed record ReportRun(string Id, string Status, string When, IReadOnlyDictionary<string, long>? PeakBytes, IReadOnlyDictionary<string, double> Metrics);
