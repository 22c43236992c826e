namespace Recipes.Configuration;

/// <summary>
/// The folder a recipe's cache (<c>.recipes/</c>), outputs (<c>out/</c>) and project config (<c>.recipes.json</c>)
/// belong to, found from the recipe's location so that the same build from any working directory reuses the same
/// cache, as DVC finds <c>.dvc/</c> and Git finds <c>.git/</c>. Starting at the recipe's folder and going up:
/// <list type="number">
/// <item>the nearest folder holding <c>.recipes.json</c> or <c>.recipes/</c> (an explicit project);</item>
/// <item>else the repository root (the nearest folder holding <c>.git</c>), where the search also stops, so a marker
/// above the repository never captures it;</item>
/// <item>else the current directory (a recipe outside any repository and any project, as before).</item>
/// </list>
/// The search never looks at the user's home folder or above it: a stray <c>~/.recipes/</c> must not become every
/// project's cache. <c>--cache</c>, <c>RECIPES_CACHE</c> and <c>--out</c> still override the cache and outputs.
/// </summary>
public sealed record ProjectRoot(string Directory, ProjectRootReason FoundBy)
{
    public const string ConfigFile = ".recipes.json";
    public const string CacheDirectory = ".recipes";
    public const string OutputDirectory = "out";

    /// <summary>The project's default cache folder.</summary>
    public string DefaultCache => Path.Combine(Directory, CacheDirectory);

    /// <summary>The project's default root of materialized outputs.</summary>
    public string DefaultOutput => Path.Combine(Directory, OutputDirectory);

    /// <summary>The project's config file (it may not exist).</summary>
    public string Config => Path.Combine(Directory, ConfigFile);

    /// <summary>How <c>status</c> prints it: <c>/path (found by .recipes/)</c>.</summary>
    public string Describe() => FoundBy switch
    {
        ProjectRootReason.ConfigFile => $"{Directory} (holds {ConfigFile})",
        ProjectRootReason.CacheDirectory => $"{Directory} (holds {CacheDirectory}/)",
        ProjectRootReason.Repository => $"{Directory} (repository root)",
        _ => $"{Directory} (working directory: no {CacheDirectory}/, {ConfigFile} or repository above the recipe)",
    };

    /// <summary>The project of <paramref name="recipePath"/>, or of the working directory for commands without a recipe.</summary>
    public static ProjectRoot Find(string? recipePath, string? workingDirectory = null)
    {
        var cwd = Path.GetFullPath(workingDirectory ?? System.IO.Directory.GetCurrentDirectory());
        var start = recipePath is null ? cwd : Path.GetDirectoryName(Path.GetFullPath(recipePath, cwd)) ?? cwd;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        for (var dir = new DirectoryInfo(start); dir?.Parent is not null; dir = dir.Parent)
        {
            if (IsHomeOrAbove(dir.FullName, home)) break;
            if (File.Exists(Path.Combine(dir.FullName, ConfigFile))) return new ProjectRoot(dir.FullName, ProjectRootReason.ConfigFile);
            if (System.IO.Directory.Exists(Path.Combine(dir.FullName, CacheDirectory))) return new ProjectRoot(dir.FullName, ProjectRootReason.CacheDirectory);
            var git = Path.Combine(dir.FullName, ".git");
            if (System.IO.Directory.Exists(git) || File.Exists(git)) return new ProjectRoot(dir.FullName, ProjectRootReason.Repository);
        }
        return new ProjectRoot(cwd, ProjectRootReason.WorkingDirectory);
    }

    private static bool IsHomeOrAbove(string directory, string home)
    {
        if (string.IsNullOrEmpty(home)) return false;
        var d = Path.TrimEndingDirectorySeparator(directory);
        var h = Path.TrimEndingDirectorySeparator(home);
        return h.Equals(d, StringComparison.Ordinal) || h.StartsWith(d + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
