using Recipes.Configuration;

namespace Recipes.Cache;

/// <summary>Where the cache lives: <c>--cache</c>, else <c>RECIPES_CACHE</c>, else <c>.recipes/</c> in the project root (<see cref="ProjectRoot"/>).</summary>
public static class CacheLocation
{
    public const string EnvironmentVariable = "RECIPES_CACHE";
    public const string DefaultDirectory = ProjectRoot.CacheDirectory;

    public static string Resolve(string? option, ProjectRoot project)
    {
        if (!string.IsNullOrWhiteSpace(option)) return Path.GetFullPath(option);
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? project.DefaultCache : Path.GetFullPath(fromEnvironment);
    }
}
