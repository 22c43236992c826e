using Recipes.Plugins.Files;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Hashing;
using Recipes.Plugins;
using Recipes.Sampling;

namespace Recipes.Materialization;

/// <summary>
/// Copies the artifacts of materialized stages from the cache to <c>out/&lt;recipe&gt;/</c> with a
/// <c>manifest.json</c> (per sample: id, parameters, files and hashes). A file already in place with the recorded hash,
/// size and time is left alone (the record lives in the cache, not in the tree), files no longer produced are removed,
/// and nothing in the tree depends on time or place, so two builds of one recipe give byte-identical trees.
/// </summary>
public sealed class OutputMaterializer
{
    public const string ManifestName = "manifest.json";

    /// <summary>Named targets' outputs go to <c>targets/NAME[@POINT]/train/</c> and <c>.../evaluate/</c>.</summary>
    public const string TargetsFolder = "targets";

    private readonly CacheStore _cache;

    public OutputMaterializer(CacheStore cache) => _cache = cache;

    /// <summary>
    /// The recipe repository's commit and dirty flag as the build found them, for the manifest (null: not in a
    /// repository, and the manifest says nothing). The manifest names the tool version too; neither is in any key.
    /// </summary>
    public Versions.SourceState? Source { get; init; }

    /// <summary>
    /// Where a materialized node's output lands under <c>out/&lt;recipe&gt;/</c>; <c>recipes why</c> maps files back to
    /// nodes through the same function.
    /// </summary>
    public static string RelativePath(GraphNode node, string outputName) =>
        // Adaptive rounds each write selection.json, so they go to select/round-NN/ (their node ids).
        node.Sample is { } s
            ? $"samples/{s.Id}/{node.StageName}/{outputName}"
            : node.Target is { } target ? $"{TargetsFolder}/{target.Label}/{node.StageName}/{outputName}"
            : node.StageName == StageNames.Select ? $"{node.Id}/{outputName}" : $"{node.StageName}/{outputName}";

    public string Materialize(BuildResult result, string outputRoot)
    {
        var graph = result.Graph;
        var states = result.States;
        var root = Path.GetFullPath(Path.Combine(outputRoot, graph.Recipe.Name));
        Directory.CreateDirectory(root);
        var tag = ContentHash.Of(root)[..12];
        using var exclusive = LockDirectory(_cache, Path.Combine(_cache.TempRoot, $"out.{tag}.lock"));
        var statePath = Path.Combine(_cache.States.Root, $"out.{tag}.materialized");

        var wanted = new SortedDictionary<string, OutputFile>(StringComparer.Ordinal);
        var perSample = new Dictionary<int, List<(string Stage, string Path, OutputFile File)>>();
        var sampleMetrics = new Dictionary<int, JsonObject>();
        var artifacts = new List<JsonObject>();
        var complete = true;

        foreach (var node in graph.Nodes)
        {
            var i = node.Index;
            if (!states.IsDone(i))
            {
                complete = false;
                continue;
            }
            if (node.Sample is { } sample && states.Metrics[i] is { IsEmpty: false } metrics)
            {
                if (!sampleMetrics.TryGetValue(sample.Index, out var m)) sampleMetrics[sample.Index] = m = [];
                m[node.StageName] = metrics.ToObject();
            }
            if (!node.Stage.Materialize) continue;
            foreach (var output in states.Outputs[i]!)
            {
                var path = RelativePath(node, output.Name);
                wanted[path] = output;
                if (node.Sample is { } owner)
                {
                    if (!perSample.TryGetValue(owner.Index, out var list)) perSample[owner.Index] = list = [];
                    list.Add((node.StageName, path, output));
                }
                else
                {
                    artifacts.Add(new JsonObject
                    {
                        ["stage"] = node.StageName,
                        ["node"] = node.Id,
                        ["path"] = path,
                        ["hash"] = output.Hash,
                        ["size"] = output.Size,
                    });
                }
            }
            if (node.Sample is null && states.Metrics[i] is { IsEmpty: false } aggregateMetrics)
                artifacts.Add(new JsonObject { ["stage"] = node.StageName, ["node"] = node.Id, ["metrics"] = aggregateMetrics.ToObject() });
        }

        var previous = LoadState(statePath);
        var current = new Dictionary<string, (string Hash, long Size, long Ticks)>(StringComparer.Ordinal);
        var entries = wanted.ToList();
        var recorded = new (string Path, string Hash, long Size, long Ticks)[entries.Count];
        var copied = 0;
        Parallel.For(0, entries.Count, new ParallelOptions { MaxDegreeOfParallelism = entries.Count < 256 ? 1 : Environment.ProcessorCount }, k =>
        {
            var (relative, output) = entries[k];
            var target = Path.Combine(root, relative);
            var info = new FileInfo(target);
            if (previous.TryGetValue(relative, out var old) && old.Hash == output.Hash && info.Exists &&
                info.Length == old.Size && info.LastWriteTimeUtc.Ticks == old.Ticks)
            {
                recorded[k] = (relative, old.Hash, old.Size, old.Ticks);
                return;
            }
            // The last guard of the path policy, where a file is written: nothing lands outside out/<recipe>/ whatever an
            // entry says (checked here, not for files already in place, so a no-op build pays nothing for it).
            if (!_cache.Blobs.TryCopyVerified(output.Hash, OutputPaths.Under(root, relative), relative))
            {
                recorded[k] = (relative, "", -1, -1);
                return;
            }
            var written = new FileInfo(target);
            recorded[k] = (relative, output.Hash, written.Length, written.LastWriteTimeUtc.Ticks);
            Interlocked.Increment(ref copied);
        });
        // A blob found corrupt while copying was quarantined; its file is left out until the node is rebuilt.
        foreach (var r in recorded.Where(r => r.Size >= 0)) current[r.Path] = (r.Hash, r.Size, r.Ticks);

        Prune(root, previous.Keys.Where(p => !wanted.ContainsKey(p)));
        var manifest = BuildManifest(graph, perSample, sampleMetrics, artifacts, complete, Source);
        var manifestPath = Path.Combine(root, ManifestName);
        if (!AtomicFile.HasContent(manifestPath, manifest.Span)) AtomicFile.WriteAllBytes(manifestPath, manifest.Span);
        // Nothing copied, nothing dropped: the record on disk already says what is in place.
        if (copied > 0 || current.Count != previous.Count)
        {
            try
            {
                SaveState(statePath, current);
            }
            catch (Exception e) when (CacheLocation.IsReadOnly(e))
            {
                // A read-only cache: the next build compares out/ with the older record and copies again; nothing is lost.
            }
        }
        return root;
    }

    private static ReadOnlyMemory<byte> BuildManifest(BuildGraph graph, Dictionary<int, List<(string Stage, string Path, OutputFile File)>> perSample,
        Dictionary<int, JsonObject> metrics, List<JsonObject> artifacts, bool complete, Versions.SourceState? source)
    {
        // Sized for a few hundred bytes per sample, so a large manifest is not copied as the stream grows.
        var buffer = new MemoryStream(4096 + 768 * graph.Samples.Count);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("recipe", graph.Recipe.Name);
            w.WriteNumber("seed", graph.Recipe.Seed);
            w.WriteString("sampler", ParameterSpace.Name(graph.Recipe.Space.Sampler));
            w.WriteBoolean("complete", complete);
            w.WriteString("tool_version", Versions.ToolVersion.Text);
            if (source is not null)
            {
                w.WriteString("git_commit", source.Commit);
                w.WriteBoolean("git_dirty", source.Dirty);
            }
            w.WriteStartArray("samples");
            // Each sample's identity (the hash of its parameter values): ids are positions and may name another sample
            // after a grid change; "sample" names the same sample in every build that has it.
            var identities = new Dictionary<int, string>();
            foreach (var node in graph.Nodes)
                if (node.Sample is { } owner && !identities.ContainsKey(owner.Index) && Sampling.SampleIdentity.Of(node) is { } identity)
                    identities[owner.Index] = identity;
            foreach (var sample in graph.Samples)
            {
                w.WriteStartObject();
                w.WriteString("id", sample.Id);
                if (identities.TryGetValue(sample.Index, out var known)) w.WriteString("sample", known);
                if (graph.Recipe.Adaptive is not null)
                {
                    // Which round chose the sample (0: the initial design) and the acquisition score it had then.
                    w.WriteNumber("round", sample.Origin?.Round ?? 0);
                    if (sample.Origin is { } origin) w.WriteNumber("score", origin.Score);
                }
                w.WritePropertyName("parameters");
                w.WriteStartObject();
                // ValueMap keys are sorted, so the parameters come out in canonical order.
                foreach (var (key, value) in sample.Parameters.Entries)
                {
                    w.WritePropertyName(key);
                    WriteValue(w, value);
                }
                w.WriteEndObject();
                w.WriteStartArray("files");
                foreach (var (stage, path, file) in perSample.GetValueOrDefault(sample.Index) ?? [])
                {
                    w.WriteStartObject();
                    w.WriteString("stage", stage);
                    w.WriteString("path", path);
                    w.WriteString("hash", file.Hash);
                    w.WriteNumber("size", file.Size);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (metrics.TryGetValue(sample.Index, out var m))
                {
                    w.WritePropertyName("metrics");
                    m.WriteTo(w);
                }
                w.WriteEndObject();
                // Handed to the stream as it goes, so the writer's own buffer does not grow to the manifest's size.
                if (w.BytesPending > 1 << 16) w.Flush();
            }
            w.WriteEndArray();
            w.WriteStartArray("artifacts");
            foreach (var artifact in artifacts) artifact.WriteTo(w);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static void WriteValue(Utf8JsonWriter w, JsonNode? value)
    {
        // Numbers in canonical form; strings and booleans as they are (the writer escapes as canonical JSON does);
        // anything else through its canonical text. Called for every parameter of every sample.
        if (value is JsonValue v && v.TryGetValue(out double d) && double.IsFinite(d))
            w.WriteRawValue(CanonicalJson.Number(d), skipInputValidation: true);
        else if (value is JsonValue text && text.TryGetValue(out string? s))
            w.WriteStringValue(s);
        else if (value is JsonValue flag && flag.TryGetValue(out bool b))
            w.WriteBooleanValue(b);
        else if (value is null)
            w.WriteNullValue();
        else
            JsonNode.Parse(CanonicalJson.Serialize(value))!.WriteTo(w);
    }

    /// <summary>Removes files an earlier build put here that this build no longer produces, and directories left empty.</summary>
    private static void Prune(string root, IEnumerable<string> obsolete)
    {
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var relative in obsolete)
        {
            // The state file lives in the cache; a name in it that breaks the path policy is never deleted.
            if (OutputPaths.Problem(relative) is not null) continue;
            var path = OutputPaths.Under(root, relative);
            AtomicFile.TryDelete(path);
            for (var dir = Path.GetDirectoryName(path); dir is not null && dir.Length > root.Length; dir = Path.GetDirectoryName(dir))
                directories.Add(dir);
        }
        foreach (var directory in directories.OrderByDescending(d => d.Length))
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any()) Directory.Delete(directory);
    }

    private static Dictionary<string, (string Hash, long Size, long Ticks)> LoadState(string path)
    {
        if (!RentedFile.TryRead(path, out var file)) return new Dictionary<string, (string, long, long)>(StringComparer.Ordinal);
        using (file)
        {
            var text = file.Bytes;
            var result = new Dictionary<string, (string, long, long)>(text.Count((byte)'\n') + 1, StringComparer.Ordinal);
            Span<Range> parts = stackalloc Range[5];
            foreach (var lineRange in text.Split((byte)'\n'))
            {
                var line = text[lineRange];
                if (ByteFields.Cut(line, (byte)'\t', parts) == 4 && long.TryParse(line[parts[2]], NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) &&
                    long.TryParse(line[parts[3]], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks))
                    result[Encoding.UTF8.GetString(line[parts[0]])] = (Encoding.UTF8.GetString(line[parts[1]]), size, ticks);
            }
            return result;
        }
    }

    private static void SaveState(string path, Dictionary<string, (string Hash, long Size, long Ticks)> state)
    {
        var builder = new StringBuilder();
        foreach (var (p, (hash, size, ticks)) in state.OrderBy(s => s.Key, StringComparer.Ordinal))
            builder.Append(p).Append('\t').Append(hash).Append('\t').Append(size.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(builder.ToString());
        if (AtomicFile.HasContent(path, bytes)) return;
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// Two builds materializing into one directory take turns rather than interleave. A cache the user may only read
    /// holds no lock (null): retrying a read-only file system would wait a minute and fail, and builds sharing a
    /// read-only cache into one out/ are left to take turns themselves.
    /// </summary>
    private static FileStream? LockDirectory(CacheStore cache, string path)
    {
        try
        {
            Directory.CreateDirectory(cache.TempRoot);
            Directory.CreateDirectory(cache.States.Root);
        }
        catch (Exception e) when (CacheLocation.IsReadOnly(e))
        {
            return null;
        }
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (CacheLocation.IsReadOnly(e))
            {
                return null;
            }
            catch (IOException) when (attempt < 600)
            {
                Thread.Sleep(100);
            }
        }
    }
}
