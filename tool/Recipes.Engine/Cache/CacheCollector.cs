using Recipes.Plugins.Files;

namespace Recipes.Cache;

/// <summary>
/// Garbage collection. Entries referenced by <c>protectedKeys</c> (the current graphs of the recipes named) are
/// always kept. Of the rest, <c>maxAge</c> drops what was last used longer ago, and <c>maxBytes</c> drops least
/// recently used entries until the cache fits; with recipes and neither limit, the rest is dropped. Blobs no kept entry
/// refers to go too. Anything written within <c>grace</c> is left alone, so a build running meanwhile loses nothing.
/// </summary>
public static class CacheCollector
{
    public static GcReport Collect(CacheStore cache, IReadOnlySet<string>? protectedKeys, IReadOnlySet<string> protectedBlobs,
        TimeSpan? maxAge, long? maxBytes, TimeSpan grace, DateTime now)
    {
        var lastUse = LastUse(cache);
        var entries = new List<(string Key, ActionEntry? Entry, DateTime Used, long Bytes)>();
        foreach (var key in cache.Actions.EnumerateKeys())
        {
            var entry = cache.Actions.TryGet(key);
            var written = cache.Actions.WrittenAt(key) ?? DateTime.MinValue;
            var used = lastUse.TryGetValue(key, out var u) && u > written ? u : written;
            var bytes = entry?.Outputs.Sum(o => o.Size) ?? 0;
            entries.Add((key, entry, used, bytes));
        }

        var keep = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<(string Key, ActionEntry? Entry, DateTime Used, long Bytes)>();
        foreach (var e in entries)
        {
            if ((protectedKeys?.Contains(e.Key) ?? false) || now - e.Used < grace) keep.Add(e.Key);
            else candidates.Add(e);
        }

        var limitGiven = maxAge is not null || maxBytes is not null;
        var survivors = new List<(string Key, ActionEntry? Entry, DateTime Used, long Bytes)>();
        if (limitGiven)
        {
            survivors = candidates.Where(c => maxAge is null || now - c.Used <= maxAge).ToList();
            if (maxBytes is { } budget)
            {
                var total = entries.Where(e => keep.Contains(e.Key)).Sum(e => e.Bytes) + survivors.Sum(s => s.Bytes);
                foreach (var oldest in survivors.OrderBy(s => s.Used).ToList())
                {
                    if (total <= budget) break;
                    survivors.Remove(oldest);
                    total -= oldest.Bytes;
                }
            }
        }
        else if (protectedKeys is null)
        {
            survivors = candidates;
        }
        foreach (var s in survivors) keep.Add(s.Key);

        // A pack a running build holds keeps its entries until a later collection; their blobs stay with them.
        var removed = cache.Actions.Delete(entries.Where(e => !keep.Contains(e.Key)).Select(e => e.Key).ToList());
        var deletedEntries = removed.Count;
        var referenced = new HashSet<string>(protectedBlobs, StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (removed.Contains(e.Key) || e.Entry is null) continue;
            foreach (var o in e.Entry.Outputs) referenced.Add(o.Hash);
            if (e.Entry.Log is not null) referenced.Add(e.Entry.Log);
            foreach (var input in e.Entry.Inputs)
                if (input.Key.StartsWith("file:", StringComparison.Ordinal)) referenced.Add(input.Value);
        }

        int blobsKept = 0, blobsDeleted = 0;
        long bytesKept = 0, bytesFreed = 0;
        foreach (var hash in cache.Blobs.EnumerateHashes().ToList())
        {
            var info = new FileInfo(cache.Blobs.PathOf(hash));
            if (referenced.Contains(hash) || now - info.LastWriteTimeUtc < grace)
            {
                blobsKept++;
                bytesKept += info.Length;
                continue;
            }
            bytesFreed += info.Length;
            cache.Blobs.Delete(hash);
            blobsDeleted++;
        }
        foreach (var temp in CacheVerifier.TempLeftovers(cache, grace))
        {
            if (Directory.Exists(temp)) CacheStore.DeleteDirectory(temp);
            else AtomicFile.TryDelete(temp);
        }
        return new GcReport(keep.Count, deletedEntries, blobsKept, blobsDeleted, bytesKept, bytesFreed);
    }

    /// <summary>When each key was last used: the time of the newest build state that names it.</summary>
    private static Dictionary<string, DateTime> LastUse(CacheStore cache)
    {
        var result = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var file in cache.States.EnumerateFiles())
        {
            var time = File.GetLastWriteTimeUtc(file);
            foreach (var record in BuildStateStore.LoadFile(file).Values)
                if (!result.TryGetValue(record.Key, out var t) || t < time) result[record.Key] = time;
        }
        return result;
    }
}
