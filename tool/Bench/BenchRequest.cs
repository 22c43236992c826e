namespace Recipes.Bench;

/// <summary>What <c>recipes bench</c> was asked to measure.</summary>
public sealed record BenchRequest(
    string RecipePath,
    IReadOnlyList<string> Sets,
    string Parameter,
    IReadOnlyList<string> Levels,
    int Samples,
    IReadOnlyList<(string Device, int Threads)> Devices,
    string? CacheOption,
    int Workers,
    double? PricePerHour);
