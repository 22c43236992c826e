namespace Recipes.Plugins.Files;

/// <summary>
/// Where a path really leads once every symbolic link along it is followed (POSIX <c>realpath</c>, in managed code):
/// the test behind the symlink policy, under which a base case, a sandbox or an output glob may follow a link only when
/// it resolves inside the directory that holds it.
/// </summary>
public static class RealPath
{
    private const int MaxLinks = 40;

    /// <summary>The absolute path with every link resolved; a missing tail is kept as written.</summary>
    public static string Of(string path)
    {
        var pending = new LinkedList<string>(Components(Path.GetFullPath(path)));
        var current = "/";
        var links = 0;
        while (pending.First is { } first)
        {
            var part = first.Value;
            pending.RemoveFirst();
            if (part is "." or "") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Combine(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) throw new IOException($"too many levels of symbolic links at {next}");
            // Restart from the link's target, then walk what was left of the path after the link.
            var rest = pending.ToList();
            pending = new LinkedList<string>(Components(target).Concat(rest));
            if (Path.IsPathRooted(target)) current = "/";
        }
        return current;
    }

    /// <summary>Whether <paramref name="path"/> really leads inside <paramref name="root"/> (both resolved).</summary>
    public static bool IsInside(string root, string path)
    {
        var realRoot = Of(root).TrimEnd('/') + "/";
        return Of(path).StartsWith(realRoot, StringComparison.Ordinal);
    }

    private static string[] Components(string path) => path.Split('/');
}
