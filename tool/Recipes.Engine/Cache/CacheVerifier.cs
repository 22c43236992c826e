using Recipes.Plugins.Files;
using Recipes.Hashing;

namespace Recipes.Cache;

/// <summary>
/// Re-hashes every blob and re-reads every action entry: a blob whose content no longer matches its name is corrupt;
/// an entry that cannot be read, or that names a missing or corrupt blob, is unusable. <c>--repair</c> deletes both
/// (the next build recomputes them) and sweeps scratch files left by killed builds.
/// </summary>
public static class CacheVerifier
{
    public static VerifyReport Verify(CacheStore cache, bool repair)
    {
        var hashes = cache.Blobs.EnumerateHashes().ToList();
        var corrupt = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(hashes, hash =>
        {
            var path = cache.Blobs.PathOf(hash);
            try
            {
                if (ContentHash.OfFile(path) != hash) corrupt.Add(hash);
            }
            catch (IOException)
            {
                corrupt.Add(hash);
            }
        });
        var bad = corrupt.ToHashSet(StringComparer.Ordinal);
        var present = hashes.ToHashSet(StringComparer.Ordinal);

        var keys = cache.Actions.EnumerateKeys().ToList();
        var unreadable = new List<string>();
        var incomplete = new List<string>();
        foreach (var key in keys)
        {
            var entry = cache.Actions.TryGet(key);
            if (entry is null)
            {
                unreadable.Add(key);
                continue;
            }
            var blobs = entry.Outputs.Select(o => o.Hash).Append(entry.Log).OfType<string>();
            if (blobs.Any(h => !present.Contains(h) || bad.Contains(h))) incomplete.Add(key);
        }

        var temps = TempLeftovers(cache).ToList();
        if (repair)
        {
            foreach (var hash in bad) cache.Blobs.Delete(hash);
            cache.Actions.Delete(unreadable.Concat(incomplete).ToList());
            foreach (var temp in temps)
            {
                if (Directory.Exists(temp)) CacheStore.DeleteDirectory(temp);
                else AtomicFile.TryDelete(temp);
            }
        }
        return new VerifyReport(hashes.Count, bad.Order(StringComparer.Ordinal).ToList(), keys.Count, unreadable, incomplete, temps.Count, repair);
    }

    /// <summary>Scratch directories and half-written temporary files of builds that were killed.</summary>
    public static IEnumerable<string> TempLeftovers(CacheStore cache, TimeSpan? olderThan = null)
    {
        var cutoff = DateTime.UtcNow - (olderThan ?? TimeSpan.Zero);
        if (Directory.Exists(cache.TempRoot))
            foreach (var entry in Directory.EnumerateFileSystemEntries(cache.TempRoot))
                if (Directory.GetLastWriteTimeUtc(entry) <= cutoff && !entry.EndsWith(".lock", StringComparison.Ordinal)) yield return entry;
        foreach (var root in new[] { cache.Blobs.Root, cache.Actions.Root })
        {
            if (!Directory.Exists(root)) continue;
            foreach (var shard in Directory.EnumerateDirectories(root))
                foreach (var file in Directory.EnumerateFiles(shard, AtomicFile.TempPrefix + "*"))
                    if (File.GetLastWriteTimeUtc(file) <= cutoff) yield return file;
        }
        // A pack rewrite cut short by a kill leaves its temporary file beside the packs.
        if (Directory.Exists(cache.Actions.Packs.Root))
            foreach (var file in Directory.EnumerateFiles(cache.Actions.Packs.Root, AtomicFile.TempPrefix + "*"))
                if (File.GetLastWriteTimeUtc(file) <= cutoff) yield return file;
    }
}
