namespace Recipes.Solvers.Heat2d;

/// <summary>How <c>heat2d</c> reaches the steady state; the recipe names them <c>multigrid</c> and <c>sor</c>.</summary>
public enum HeatScheme
{
    /// <summary><see cref="MultigridSolver"/>: V-cycles on the CPU; <see cref="HeatSolution.Iterations"/> counts cycles.</summary>
    Multigrid,

    /// <summary><see cref="SorSolver"/>: red-black SOR as ILGPU kernels; <see cref="HeatSolution.Iterations"/> counts sweeps.</summary>
    Sor,
}
