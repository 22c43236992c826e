namespace Recipes.Solvers.Sph;

/// <summary>
/// What the DFSPH solver did at each step: the step length, and for the constant-density and the divergence-free solve
/// the iterations taken and the mean error they ended with (relative compression; relative density change per step).
/// </summary>
public sealed record DfsphStatistics(
    double[] Dt,
    int[] DensityIterations,
    double[] DensityError,
    int[] DivergenceIterations,
    double[] DivergenceError,
    double DensityTolerance,
    double DivergenceTolerance,
    int MaxIterations,
    int NeighbourCapacity)
{
    public int Steps => Dt.Length;

    /// <summary>Wall time in the cell list and neighbour lists, in each solve, and in the whole run (profiling, not output).</summary>
    public double SearchSeconds { get; init; }

    public double DivergenceSeconds { get; init; }

    public double DensitySeconds { get; init; }

    public double TotalSeconds { get; init; }

    /// <summary>Steps whose density solve stopped at the iteration cap rather than at the tolerance.</summary>
    public int DensityUnconverged => DensityError.Count(e => e > DensityTolerance);

    public int DivergenceUnconverged => DivergenceError.Count(e => e > DivergenceTolerance);
}
