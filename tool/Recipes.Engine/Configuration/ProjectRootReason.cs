namespace Recipes.Configuration;

/// <summary>Why a folder is the project root (see <see cref="ProjectRoot"/>).</summary>
public enum ProjectRootReason
{
    ConfigFile,
    CacheDirectory,
    Repository,
    WorkingDirectory,
}
