namespace Recipes.Cache;

/// <summary>Action key → <see cref="ActionEntry"/>, one small JSON file per key under <c>ac/ab/&lt;key&gt;</c>.</summary>
public sealed class ActionCache
{
    private readonly string _root;

    public ActionCache(string root) => _root = root;

    public string Root => _root;

    public string PathOf(string key) => Path.Combine(_root, key[..2], key);

    /// <summary>The outputs recorded for a key, or null if absent or unreadable (a torn or edited entry reads as a miss).</summary>
    public CachedResult? TryGetOutputs(string key)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathOf(key));
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        try
        {
            return ActionEntrySerializer.ReadOutputs(bytes, key);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public ActionEntry? TryGet(string key)
    {
        try
        {
            var entry = ActionEntrySerializer.Deserialize(File.ReadAllBytes(PathOf(key)));
            return entry?.Key == key ? entry : null;
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    public void Put(ActionEntry entry) => AtomicFile.WriteAllBytes(PathOf(entry.Key), ActionEntrySerializer.Serialize(entry));

    public IEnumerable<string> EnumerateKeys()
    {
        if (!Directory.Exists(_root)) yield break;
        foreach (var shard in Directory.EnumerateDirectories(_root))
            foreach (var file in Directory.EnumerateFiles(shard))
            {
                var name = Path.GetFileName(file);
                if (!name.StartsWith(AtomicFile.TempPrefix, StringComparison.Ordinal)) yield return name;
            }
    }

    public void Delete(string key) => AtomicFile.TryDelete(PathOf(key));
}
