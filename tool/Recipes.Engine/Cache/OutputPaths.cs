using Recipes.Hashing;

namespace Recipes.Cache;

/// <summary>
/// The one path policy for everything the cache hands out. An output name in an action entry, a bundle, a remote
/// response, a build-state snapshot or a plug-in's result is a normalized relative path under its node's output
/// directory: '/'-separated, no empty, '.' or '..' segment, not absolute, no backslash, NUL or other control character,
/// at most <see cref="MaxLength"/> characters. Keys and blob hashes are 32 lowercase hex digits, because they become
/// file names in the store. Anything else is refused where it is read (a miss, with one warning naming the source) and
/// again where a file would be written or deleted.
/// </summary>
public static class OutputPaths
{
    public const int MaxLength = 1024;
    public const int MaxSegment = 255;

    /// <summary>Why <paramref name="name"/> is not an acceptable output path, or null when it is.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "an empty output path";
        if (name.Length > MaxLength) return $"an output path longer than {MaxLength} characters";
        if (name[0] == '/') return $"an absolute output path '{Shown(name)}'";
        foreach (var c in name)
            if (c == '\\' || char.IsControl(c)) return $"an output path with a backslash or control character '{Shown(name)}'";
        var path = name.AsSpan();
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.IsEmpty || segment is "." or "..") return $"an output path that is not normalized or leaves its directory '{Shown(name)}'";
            if (segment.Length > MaxSegment) return $"an output path with a segment longer than {MaxSegment} characters";
        }
        return null;
    }

    /// <summary>The first problem among an entry's outputs (paths, hashes, duplicates), or null.</summary>
    public static string? Problem(IReadOnlyList<OutputFile> outputs, string? log = null)
    {
        // Checked for every node of every no-op build: most nodes have one or two outputs, so no set for them.
        HashSet<string>? seen = outputs.Count > 8 ? new HashSet<string>(StringComparer.Ordinal) : null;
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            if (Problem(output.Name) is { } problem) return problem;
            if (!ContentHash.IsValid(output.Hash)) return $"a blob hash that is not 32 hex digits for '{Shown(output.Name)}'";
            var repeated = seen is null ? Earlier(outputs, i) : !seen.Add(output.Name);
            if (repeated) return $"the output path '{Shown(output.Name)}' twice";
        }
        if (log is not null && !ContentHash.IsValid(log)) return "a log hash that is not 32 hex digits";
        return null;
    }

    private static bool Earlier(IReadOnlyList<OutputFile> outputs, int index)
    {
        for (var j = 0; j < index; j++)
            if (string.Equals(outputs[j].Name, outputs[index].Name, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>
    /// The full path of <paramref name="relative"/> under <paramref name="root"/>; throws when the name breaks the policy or
    /// would resolve outside the root (the last guard before a write or a delete).
    /// </summary>
    public static string Under(string root, string relative)
    {
        if (Problem(relative) is { } problem) throw new InvalidDataException($"refused {problem}");
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal)) throw new InvalidDataException($"refused an output path that leaves {root}: '{Shown(relative)}'");
        return full;
    }

    /// <summary>Throws unless <paramref name="hash"/> is a content hash (keys and blob names become file names).</summary>
    public static string CheckedHash(string hash) =>
        ContentHash.IsValid(hash) ? hash : throw new InvalidDataException($"refused '{Shown(hash)}' as a cache key or blob name: not 32 hex digits");

    private static string Shown(string text)
    {
        var clean = new string(text.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > 80 ? clean + "…" : clean;
    }
}
