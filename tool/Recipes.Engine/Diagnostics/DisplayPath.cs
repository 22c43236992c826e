namespace Recipes.Diagnostics;

/// <summary>Paths in messages: relative to the working directory where that is shorter, with '/' separators.</summary>
public static class DisplayPath
{
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
        var chosen = relative.StartsWith("..", StringComparison.Ordinal) ? full : relative;
        return chosen.Replace('\\', '/');
    }
}
