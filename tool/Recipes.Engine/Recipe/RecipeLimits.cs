namespace Recipes.Recipe;

/// <summary>Bounds on what a recipe may ask for, so a typo is reported as bad input rather than exhausting the machine.</summary>
public static class RecipeLimits
{
    /// <summary>Samples in one recipe (and integers in one int axis): far beyond any sweep, far below what overflows.</summary>
    public const int MaxSamples = 100_000_000;
}
