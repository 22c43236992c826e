using System.Collections.Concurrent;
using System.IO.Enumeration;
using System.Runtime.InteropServices;
using Recipes.Plugins.Files;

namespace Recipes.Cache;

/// <summary>
/// The file names of a two-level store (<c>root/ab/abcdef…</c>): listed on demand with one directory read per shard,
/// the shards in parallel, and then answered without a lock, since a no-op build of tens of thousands of nodes asks
/// from every probing thread at once. Temporary files of interrupted writes are not names.
/// </summary>
public sealed class ShardedNames
{
    private readonly string _root;
    private volatile ConcurrentDictionary<string, byte>? _names;

    public ShardedNames(string root) => _root = root;

    public void Load()
    {
        var names = new ConcurrentDictionary<string, byte>(Environment.ProcessorCount, 1024, HexNameComparer.Instance);
        if (Directory.Exists(_root))
            Parallel.ForEach(Directory.GetDirectories(_root), shard =>
            {
                foreach (var name in Enumerate(shard)) names.TryAdd(name, 0);
            });
        _names = names;
    }

    /// <summary>True or false once loaded; null before, when the caller should look at the file itself.</summary>
    public bool? Contains(string name) => _names is { } names ? names.ContainsKey(name) : null;

    public void Add(string name) => _names?.TryAdd(name, 0);

    public void Remove(string name) => _names?.TryRemove(name, out _);

    /// <summary>Every name in the store, read from disk (not the loaded list).</summary>
    public IEnumerable<string> EnumerateAll()
    {
        if (!Directory.Exists(_root)) yield break;
        foreach (var shard in Directory.EnumerateDirectories(_root))
            foreach (var name in Enumerate(shard))
                yield return name;
    }

    /// <summary>
    /// The names are content hashes, already uniformly random: their first 16 characters make the hash code, which
    /// saves hashing every 32-character name in full on each of tens of thousands of lookups. Other names hash as usual.
    /// </summary>
    private sealed class HexNameComparer : IEqualityComparer<string>
    {
        public static readonly HexNameComparer Instance = new();

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string name) =>
            name.Length >= 16
                ? HashCode.Combine(MemoryMarshal.Read<long>(MemoryMarshal.AsBytes(name.AsSpan(0, 4))),
                    MemoryMarshal.Read<long>(MemoryMarshal.AsBytes(name.AsSpan(4, 4))),
                    MemoryMarshal.Read<long>(MemoryMarshal.AsBytes(name.AsSpan(8, 4))),
                    MemoryMarshal.Read<long>(MemoryMarshal.AsBytes(name.AsSpan(12, 4))))
                : StringComparer.Ordinal.GetHashCode(name);
    }

    private static FileSystemEnumerable<string> Enumerate(string shard) =>
        new(shard, (ref FileSystemEntry entry) => entry.FileName.ToString())
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                !entry.IsDirectory && !entry.FileName.StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal),
        };
}
