namespace Recipes.Sampling;

public enum SamplerKind
{
    Grid,
    Random,
    Sobol,
    LatinHypercube,

    /// <summary>An initial Sobol design, then rounds that pick points of a Sobol pool where a surrogate is least sure.</summary>
    Adaptive,
}
