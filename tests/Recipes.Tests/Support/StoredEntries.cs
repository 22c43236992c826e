using Recipes.Cache;

namespace Recipes.Tests.Support;

/// <summary>
/// The action keys a cache directory holds, as a reader of the cache sees them (packed and one-file entries alike):
/// tests that wait for a build's progress or check that nothing was cached ask here instead of listing files.
/// </summary>
public static class StoredEntries
{
    public static IReadOnlyList<string> Keys(string cacheDirectory) =>
        Directory.Exists(cacheDirectory) ? [.. new CacheStore(cacheDirectory).Actions.EnumerateKeys().Order(StringComparer.Ordinal)] : [];

    public static int Count(string cacheDirectory) => Keys(cacheDirectory).Count;

    /// <summary>
    /// Copies every entry to a one-file entry under <c>ac/</c> (which a reader prefers) and returns their paths, for
    /// tests that edit, corrupt or replace entries on disk.
    /// </summary>
    public static IReadOnlyList<string> AsFiles(string cacheDirectory)
    {
        var cache = new CacheStore(cacheDirectory);
        var paths = new List<string>();
        foreach (var key in cache.Actions.EnumerateKeys().Order(StringComparer.Ordinal).ToList())
        {
            var path = cache.Actions.PathOf(key);
            if (!File.Exists(path)) Recipes.Plugins.Files.AtomicFile.WriteAllBytes(path, cache.Actions.TryReadBytes(key)!);
            paths.Add(path);
        }
        return paths;
    }
}
