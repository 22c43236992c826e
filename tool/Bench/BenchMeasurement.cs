namespace Recipes.Bench;

/// <summary>
/// One measured run of one sample's simulation at one fidelity level on one device, with the one-time costs of the
/// process it ran in: start-up (runtime, recipe, planning) and what the warm-up run took beyond a measured run.
/// </summary>
public sealed record BenchMeasurement(string Level, string Device, int Threads, string Node, double Seconds, long PeakBytes, long OutputBytes, bool FromCache,
    double? StartupSeconds = null, double? WarmUpSeconds = null);
