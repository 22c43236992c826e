namespace Recipes.Execution;

/// <summary>The CLI contract's exit codes.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int NodeFailed = 1;
    public const int InvalidRecipe = 2;

    /// <summary>Interrupted by Ctrl-C (128 + SIGINT), as shells report it.</summary>
    public const int Interrupted = 130;
}
