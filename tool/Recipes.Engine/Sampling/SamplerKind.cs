namespace Recipes.Sampling;

public enum SamplerKind
{
    Grid,
    Random,
    Sobol,
    LatinHypercube,
}
