namespace Recipes.Cache;

/// <summary>Where the cache lives: <c>--cache</c>, else <c>RECIPES_CACHE</c>, else <c>.recipes/</c> in the working directory.</summary>
public static class CacheLocation
{
    public const string EnvironmentVariable = "RECIPES_CACHE";
    public const string DefaultDirectory = ".recipes";

    public static string Resolve(string? option)
    {
        if (!string.IsNullOrWhiteSpace(option)) return Path.GetFullPath(option);
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return Path.GetFullPath(string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultDirectory : fromEnvironment);
    }
}
