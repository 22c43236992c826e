namespace Recipes.Solvers.Heat2d;

/// <summary>
/// A steady state with how it was reached: the scheme, its iterations (SOR sweeps or multigrid V-cycles) and the final
/// residual (max norm of the unscaled 5-point residual).
/// </summary>
public sealed record HeatSolution(double[] Field, int Iterations, double Residual, string Device, HeatScheme Scheme);
