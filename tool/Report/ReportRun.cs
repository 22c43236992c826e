namespace Recipes.Report;

/// <summary>What the report shows of a recorded run: its id, status and time, per-node peak memory, metrics named as run records name them (<c>dataset.rows</c>).</summary>
public sealed record ReportRun(string Id, string Status, string When, IReadOnlyDictionary<string, long>? PeakBytes, IReadOnlyDictionary<string, double> Metrics);
