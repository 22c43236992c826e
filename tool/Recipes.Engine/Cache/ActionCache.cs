using System.Buffers;
using Recipes.Plugins.Files;

namespace Recipes.Cache;

/// <summary>
/// Action key → <see cref="ActionEntry"/>. New entries are appended to packs (<see cref="ActionPacks"/>, under
/// <c>packs/</c> beside <c>ac/</c>); entries stored one file per key under <c>ac/ab/&lt;key&gt;</c> by earlier versions
/// are still read, and take precedence, so a cache written before packs keeps serving.
/// </summary>
public sealed class ActionCache
{
    private readonly string _root;
    private readonly ShardedNames _keys;

    public ActionCache(string root)
    {
        _root = root;
        _keys = new ShardedNames(root);
        Packs = new ActionPacks(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(root))!, "packs"));
    }

    /// <summary>Told once per entry that breaks the path policy (it reads as a miss); the build prints it as a warning.</summary>
    public Action<string>? Warn { get; set; }

    /// <summary>The directory of entries kept one file per key (read, no longer written).</summary>
    public string Root => _root;

    public ActionPacks Packs { get; }

    /// <summary>Where a one-file entry of <paramref name="key"/> lives (earlier caches, and tests that plant one).</summary>
    public string PathOf(string key) => Path.Combine(_root, OutputPaths.CheckedHash(key)[..2], key);

    /// <summary>Lists every key once (one directory read per shard, each pack's index) for builds that check tens of thousands of keys.</summary>
    public void LoadIndex()
    {
        _keys.Load();
        Packs.Load();
    }

    /// <summary>Whether an entry exists; a key missing from the lists may have been stored since by another build.</summary>
    public bool Contains(string key) => LooseExists(key) || Packs.Contains(key);

    // Loose entries are no longer written, so once listed the list is the answer; before, the file itself is asked.
    private bool LooseExists(string key) => _keys.Contains(key) ?? File.Exists(PathOf(key));

    /// <summary>The outputs recorded for a key, or null if absent or unreadable (a torn or edited entry reads as a miss).</summary>
    public CachedResult? TryGetOutputs(string key) => Read(key, bytes =>
    {
        try
        {
            var hit = ActionEntrySerializer.ReadOutputs(bytes, key, out var problem);
            if (problem is not null) Warn?.Invoke($"local cache entry {key[..12]} refused: it names {problem}; treated as a miss");
            return hit;
        }
        catch (System.Text.Json.JsonException) { return null; }
    });

    public ActionEntry? TryGet(string key) => Read(key, bytes =>
    {
        var entry = ActionEntrySerializer.Deserialize(bytes, out var problem);
        if (problem is not null) Warn?.Invoke($"local cache entry {key[..12]} refused: it names {problem}; treated as a miss");
        return entry?.Key == key ? entry : null;
    });

    /// <summary>The stored bytes of an entry (for the remote cache and bundles), or null.</summary>
    public byte[]? TryReadBytes(string key) => Read(key, bytes => bytes.ToArray());

    /// <summary>When the entry was stored (the file's time for a one-file entry), or null when there is none.</summary>
    public DateTime? WrittenAt(string key)
    {
        if (LooseExists(key))
        {
            var info = new FileInfo(PathOf(key));
            if (info.Exists) return info.LastWriteTimeUtc;
        }
        return Packs.TryReadWritten(key);
    }

    private delegate T? BytesReader<T>(ReadOnlySpan<byte> bytes);

    private T? Read<T>(string key, BytesReader<T> read) where T : class
    {
        // A no-op build reads one entry per node: one open and one read into a pooled buffer, no FileStream.
        if ((_keys.Contains(key) ?? true) && RentedFile.TryRead(PathOf(key), out var file))
            using (file)
                return read(file.Bytes);
        var buffer = Packs.TryRead(key, out var length, out _);
        if (buffer is null) return null;
        try
        {
            return read(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Put(ActionEntry entry) => PutBytes(entry.Key, ActionEntrySerializer.Serialize(entry));

    /// <summary>Stores an entry's bytes as they are (a remote's or a bundle's entry, checked by the caller).</summary>
    public void PutBytes(string key, ReadOnlySpan<byte> bytes) => Packs.Append(OutputPaths.CheckedHash(key), bytes);

    /// <summary>Lets this process's pack go (end of a build), so another build or a collection can take it.</summary>
    public void CloseWriter() => Packs.CloseWriter();

    public IEnumerable<string> EnumerateKeys() => _keys.EnumerateAll().Concat(Packs.EnumerateKeys()).Distinct(StringComparer.Ordinal);

    /// <summary>Removes entries (one-file entries deleted, packs rewritten without them); returns the keys that went.</summary>
    public IReadOnlySet<string> Delete(IReadOnlyCollection<string> keys)
    {
        var removed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var path = PathOf(key);
            if (!File.Exists(path)) continue;
            AtomicFile.TryDelete(path);
            _keys.Remove(key);
            removed.Add(key);
        }
        removed.UnionWith(Packs.Remove(keys));
        return removed;
    }
}
