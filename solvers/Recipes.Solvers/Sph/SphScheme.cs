namespace Recipes.Solvers.Sph;

/// <summary>How pressure is computed: from a stiff equation of state, or by solving for incompressibility.</summary>
public enum SphScheme
{
    /// <summary>Weakly compressible SPH: Tait's equation of state and a fixed acoustic time step.</summary>
    Wcsph,

    /// <summary>Divergence-free SPH (Bender and Koschier): a constant-density and a divergence-free solve per step, CFL time step.</summary>
    Dfsph,
}
