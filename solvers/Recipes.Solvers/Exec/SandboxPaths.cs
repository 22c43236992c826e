namespace Recipes.Solvers.Exec;

/// <summary>Keeps declared paths inside a node's work directory: no absolute paths, no '..', no links pointing out.</summary>
public static class SandboxPaths
{
    /// <summary>Why a declared relative path or glob would leave the sandbox, or null when it stays inside.</summary>
    public static string? Check(string path)
    {
        if (path.Length == 0) return "an empty path";
        if (Path.IsPathRooted(path) || path.StartsWith('~')) return $"'{path}' is absolute; paths are relative to the work directory";
        if (path.Replace('\\', '/').Split('/').Contains("..")) return $"'{path}' contains '..' and would leave the work directory";
        return null;
    }

    public static bool IsInside(string root, string fullPath)
    {
        var rootFull = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(fullPath).StartsWith(rootFull, StringComparison.Ordinal);
    }

    public static string Resolve(string root, string relative)
    {
        var problem = Check(relative);
        if (problem is not null) throw new Plugins.PluginException(problem);
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (!IsInside(root, full)) throw new Plugins.PluginException($"'{relative}' would leave the work directory");
        return full;
    }
}
