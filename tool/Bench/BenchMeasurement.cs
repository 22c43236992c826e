namespace Recipes.Bench;

/// <summary>One sample's simulation at one fidelity level on one device.</summary>
public sealed record BenchMeasurement(string Level, string Device, int Threads, string Node, double Seconds, long PeakBytes, long OutputBytes, bool FromCache);
