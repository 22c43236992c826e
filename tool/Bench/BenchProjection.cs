namespace Recipes.Bench;

/// <summary>
/// What a full sweep would cost at one fidelity level on one device: every sample takes the measured mean time, and
/// W workers each run one sample at a time, so the sweep takes ceil(N / W) rounds; each worker is paid for the whole
/// wall time.
/// </summary>
public static class BenchProjection
{
    public sealed record Projection(int Samples, int Workers, double SecondsPerSample, double WallSeconds, double MachineHours, double? Cost);

    public static Projection Project(int samples, double secondsPerSample, int workers, double? pricePerHour)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var rounds = (samples + workers - 1) / workers;
        var wall = rounds * secondsPerSample;
        var machineHours = wall * workers / 3600.0;
        return new Projection(samples, workers, secondsPerSample, wall, machineHours, pricePerHour is { } price ? machineHours * price : null);
    }
}
