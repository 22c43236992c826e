using Recipes.Configuration;

namespace Recipes.Cache;

/// <summary>Where the cache lives: <c>--cache</c>, else <c>RECIPES_CACHE</c>, else <c>.recipes/</c> in the project root (<see cref="ProjectRoot"/>).</summary>
public static class CacheLocation
{
    public const string EnvironmentVariable = "RECIPES_CACHE";
    public const string DefaultDirectory = ProjectRoot.CacheDirectory;

    /// <summary>
    /// The cache directory. One that cannot be a directory (a file, or a path under a file) is refused here, for every
    /// command, with one line naming it and where it came from (exit 2), rather than failing later on a raw .NET message.
    /// </summary>
    public static string Resolve(string? option, ProjectRoot project)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        var (path, source) = !string.IsNullOrWhiteSpace(option) ? (Path.GetFullPath(option), "--cache")
            : !string.IsNullOrWhiteSpace(fromEnvironment) ? (Path.GetFullPath(fromEnvironment), EnvironmentVariable)
            : (project.DefaultCache, "the project's default");
        if (Problem(path) is { } problem)
            throw new Plugins.Files.RefusedFileException($"cache directory {path} ({source})", $"{problem}; give a directory (it is created if missing)");
        return path;
    }

    /// <summary>Why <paramref name="path"/> cannot be a cache directory, or null (a missing directory is fine: it is created).</summary>
    public static string? Problem(string path)
    {
        if (File.Exists(path)) return "is a file, not a directory";
        for (var dir = Path.GetDirectoryName(path); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir)) return $"lies under {dir}, which is a file";
            if (Directory.Exists(dir)) break;
        }
        return null;
    }

    /// <summary>
    /// Whether <paramref name="e"/> says a location may only be read (permission denied, or a read-only file system,
    /// which .NET reports as an IOException carrying EROFS): the user's setting to fix, not a disk failure.
    /// </summary>
    public static bool IsReadOnly(Exception e) => e is UnauthorizedAccessException || e is IOException { HResult: ReadOnlyFileSystem };

    /// <summary>EROFS on Linux, which .NET passes on as the exception's HResult.</summary>
    private const int ReadOnlyFileSystem = 30;
}
