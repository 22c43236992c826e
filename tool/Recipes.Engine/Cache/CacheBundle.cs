using Recipes.Plugins.Files;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Hashing;

namespace Recipes.Cache;

/// <summary>
/// A single archive of exactly the cache entries one recipe needs (its action entries, their output and log blobs and
/// the base-case files), for CI caches and moving results between machines. Import verifies every blob against its
/// hash and every entry against the blobs it names before writing anything.
/// </summary>
public static class CacheBundle
{
    public const string ManifestName = "recipes-bundle.json";

    public sealed record ExportReport(int Entries, int Blobs, long Bytes, int NotBuilt);

    public sealed record ImportReport(int Entries, int Blobs, IReadOnlyList<string> Problems);

    public static ExportReport Export(BuildGraph graph, NodeStates states, CacheStore cache, string archivePath)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        var blobs = new SortedSet<string>(StringComparer.Ordinal);
        var notBuilt = 0;
        foreach (var node in graph.Nodes)
        {
            foreach (var file in node.Files)
                if (cache.Blobs.Contains(file.Hash)) blobs.Add(file.Hash);
            if (states.Status[node.Index] != NodeStatus.Cached)
            {
                notBuilt++;
                continue;
            }
            var key = states.HashOf(node.Index)!;
            var entry = cache.Actions.TryGet(key) ?? throw new IOException($"cache entry {key} vanished during export");
            keys.Add(key);
            foreach (var hash in entry.Outputs.Select(o => o.Hash).Append(entry.Log).OfType<string>()) blobs.Add(hash);
        }
        var temp = archivePath + AtomicFile.TempPrefix + Guid.NewGuid().ToString("N");
        long bytes = 0;
        using (var stream = File.Create(temp))
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
        {
            var manifest = new JsonObject
            {
                ["format"] = GraphPlanner.CacheFormat,
                ["recipe"] = graph.Recipe.Name,
                ["plan_key"] = PlanKey.Compute(graph),
                ["entries"] = new JsonArray(keys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()),
                ["blobs"] = new JsonArray(blobs.Select(b => (JsonNode?)JsonValue.Create(b)).ToArray()),
            };
            Write(zip, ManifestName, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
            foreach (var key in keys) Write(zip, $"ac/{key}", cache.Actions.TryReadBytes(key) ?? throw new IOException($"cache entry {key} vanished during export"));
            foreach (var hash in blobs)
            {
                var entry = zip.CreateEntry($"cas/{hash}", CompressionLevel.Fastest);
                entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var target = entry.Open();
                using var source = File.OpenRead(cache.Blobs.PathOf(hash));
                source.CopyTo(target);
                bytes += source.Length;
            }
        }
        File.Move(temp, archivePath, overwrite: true);
        return new ExportReport(keys.Count, blobs.Count, bytes, notBuilt);
    }

    private static void Write(ZipArchive zip, string name, byte[] content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var stream = entry.Open();
        stream.Write(content);
    }

    public static ImportReport Import(string archivePath, CacheStore cache)
    {
        var problems = new List<string>();
        using var zip = ZipFile.OpenRead(archivePath);
        if (zip.GetEntry(ManifestName) is null) problems.Add($"{archivePath} is not a Recipes cache bundle (no {ManifestName})");
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var item in zip.Entries)
        {
            if (item.FullName == ManifestName) continue;
            using var stream = item.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = Path.GetFileName(item.FullName);
            if (item.FullName.StartsWith("cas/", StringComparison.Ordinal))
            {
                if (!ContentHash.IsValid(name) || ContentHash.Of(bytes) != name) problems.Add($"blob {Escaping.TerminalText.Clean(name)} does not match its hash");
                else blobs[name] = bytes;
            }
            else if (item.FullName.StartsWith("ac/", StringComparison.Ordinal))
            {
                entries[name] = bytes;
            }
            else problems.Add($"unexpected member {Escaping.TerminalText.Clean(item.FullName)}");
        }
        foreach (var (key, bytes) in entries)
        {
            var entry = ActionEntrySerializer.Deserialize(bytes, out var problem);
            if (!ContentHash.IsValid(key)) problems.Add($"member ac/{Escaping.TerminalText.Clean(key)} is not named by an action key");
            else if (problem is not null) problems.Add($"entry {key} refused: it names {problem}");
            else if (entry is null || entry.Key != key) problems.Add($"entry {key} is unreadable or names another key");
            else if (entry.Outputs.Select(o => o.Hash).Append(entry.Log).OfType<string>().Any(h => !blobs.ContainsKey(h) && !cache.Blobs.Contains(h)))
                problems.Add($"entry {key} ({Escaping.TerminalText.Clean(entry.Node)}) refers to a blob the bundle lacks");
        }
        if (problems.Count > 0) return new ImportReport(0, 0, problems);
        foreach (var bytes in blobs.Values) cache.Blobs.PutBytes(bytes);
        foreach (var (key, bytes) in entries) cache.Actions.PutBytes(key, bytes);
        cache.Actions.CloseWriter();
        return new ImportReport(entries.Count, blobs.Count, []);
    }
}
