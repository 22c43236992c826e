using System.Collections.Concurrent;

namespace Recipes.Cache;

/// <summary>
/// Scratch directories reused from node to node within one build. Creating and removing three directories per node
/// was the largest single cost of a bulk build of cheap nodes (an ext4 mkdir allocates an inode and scans recently
/// freed ones: about a fifth of the engine's time at 1,000 nodes/s). A returned directory is emptied, not removed:
/// <c>work/</c> and <c>out/</c> are cleared (usually nothing is left in them: outputs were moved into the store) and
/// <c>log.txt</c> is truncated when the next node opens it. One that cannot be emptied is removed instead, so a node
/// never sees what another left. A killed build leaves its pooled directories behind like any scratch directory, for
/// <c>cache gc</c> and <c>cache verify --repair</c> to sweep.
/// </summary>
public sealed class ScratchPool(CacheStore cache)
{
    private readonly ConcurrentBag<ScratchDirectory> _free = [];

    /// <summary>An empty scratch directory: a pooled one when there is one, else a new one.</summary>
    public ScratchDirectory Rent()
    {
        if (_free.TryTake(out var pooled)) return pooled;
        var scratch = new ScratchDirectory(cache.NewTempDirectory());
        Directory.CreateDirectory(scratch.Work);
        Directory.CreateDirectory(scratch.Out);
        return scratch;
    }

    /// <summary>Empties <paramref name="scratch"/> for the next node, or removes it when it cannot be emptied.</summary>
    public void Return(ScratchDirectory scratch)
    {
        if (TryEmpty(scratch)) _free.Add(scratch);
        else CacheStore.DeleteDirectory(scratch.Root);
    }

    /// <summary>Removes every pooled directory (at the end of a build).</summary>
    public void Clear()
    {
        while (_free.TryTake(out var scratch)) CacheStore.DeleteDirectory(scratch.Root);
    }

    private static bool TryEmpty(ScratchDirectory scratch)
    {
        try
        {
            // Anything beside work/, out/ and the log (a node that wrote into its scratch root) means starting afresh.
            foreach (var entry in Directory.EnumerateFileSystemEntries(scratch.Root))
                if (entry != scratch.Work && entry != scratch.Out && entry != scratch.Log) return false;
            return Empty(scratch.Work) && Empty(scratch.Out) && !File.GetAttributes(scratch.Log).HasFlag(FileAttributes.ReadOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Deletes what a directory holds; false when it is gone, not a plain directory, or something in it stays.</summary>
    private static bool Empty(string directory)
    {
        var info = new DirectoryInfo(directory);
        if (!info.Exists || info.LinkTarget is not null) return false;
        var deleted = false;
        foreach (var entry in info.EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo sub && sub.LinkTarget is null) CacheStore.DeleteDirectory(sub.FullName);
            else entry.Delete();
            deleted = true;
        }
        // Usually empty at the first look; after deleting, look again (DeleteDirectory leaves what it cannot remove).
        return !deleted || !info.EnumerateFileSystemInfos().Any();
    }
}
