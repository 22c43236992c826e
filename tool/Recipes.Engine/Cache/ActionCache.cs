using Recipes.Plugins.Files;

namespace Recipes.Cache;

/// <summary>Action key → <see cref="ActionEntry"/>, one small JSON file per key under <c>ac/ab/&lt;key&gt;</c>.</summary>
public sealed class ActionCache
{
    private readonly string _root;

    public ActionCache(string root)
    {
        _root = root;
        _keys = new ShardedNames(root);
    }

    /// <summary>Told once per entry that breaks the path policy (it reads as a miss); the build prints it as a warning.</summary>
    public Action<string>? Warn { get; set; }

    public string Root => _root;

    public string PathOf(string key) => Path.Combine(_root, OutputPaths.CheckedHash(key)[..2], key);

    private readonly ShardedNames _keys;

    /// <summary>Lists every key once (one directory read per shard) for builds that check tens of thousands of keys.</summary>
    public void LoadIndex() => _keys.Load();

    /// <summary>Whether an entry exists; a key missing from the list may have been stored since by another build.</summary>
    public bool Contains(string key) => _keys.Contains(key) == true || File.Exists(PathOf(key));

    /// <summary>The outputs recorded for a key, or null if absent or unreadable (a torn or edited entry reads as a miss).</summary>
    public CachedResult? TryGetOutputs(string key)
    {
        // A no-op build reads one entry per node: one open and one read into a pooled buffer, no FileStream.
        if (!RentedFile.TryRead(PathOf(key), out var file)) return null;
        using (file)
        {
            try
            {
                var hit = ActionEntrySerializer.ReadOutputs(file.Bytes, key, out var problem);
                if (problem is not null) Warn?.Invoke($"local cache entry {key[..12]} refused: it names {problem}; treated as a miss");
                return hit;
            }
            catch (System.Text.Json.JsonException) { return null; }
        }
    }

    public ActionEntry? TryGet(string key)
    {
        if (!RentedFile.TryRead(PathOf(key), out var file)) return null;
        using (file)
        {
            var entry = ActionEntrySerializer.Deserialize(file.Bytes, out var problem);
            if (problem is not null) Warn?.Invoke($"local cache entry {key[..12]} refused: it names {problem}; treated as a miss");
            return entry?.Key == key ? entry : null;
        }
    }

    public void Put(ActionEntry entry)
    {
        AtomicFile.WriteAllBytes(PathOf(entry.Key), ActionEntrySerializer.Serialize(entry));
        _keys.Add(entry.Key);
    }

    public IEnumerable<string> EnumerateKeys() => _keys.EnumerateAll();

    public void Delete(string key)
    {
        AtomicFile.TryDelete(PathOf(key));
        _keys.Remove(key);
    }
}
