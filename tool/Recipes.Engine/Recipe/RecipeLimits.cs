namespace Recipes.Recipe;

/// <summary>Bounds on what a recipe may ask for, so a typo is reported as bad input rather than exhausting the machine.</summary>
public static class RecipeLimits
{
    /// <summary>Samples in one recipe (and integers in one int axis): far beyond any sweep, far below what overflows.</summary>
    public const int MaxSamples = 100_000_000;

    /// <summary>
    /// Files in a base case: every one is hashed into every render key, so a base case of more is a mistake (base_case.dir
    /// pointing at a home directory or /), and listing it must end (found by the fuzz suite: --set base_case.dir=/).
    /// </summary>
    public const int MaxBaseCaseFiles = 100_000;

    /// <summary>A template is a simulator's input file: 16 MiB is far beyond any, and what is read is bounded.</summary>
    public const long MaxTemplateBytes = 16L << 20;
}
