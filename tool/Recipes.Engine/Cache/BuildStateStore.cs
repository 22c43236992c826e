using Recipes.Plugins.Files;
using System.Text;
using Recipes.Hashing;

namespace Recipes.Cache;

/// <summary>
/// Per recipe, the key each node had at its last build (and failures). <c>status</c> compares against it to explain
/// staleness; <c>cache gc</c> reads it to know what is still in use and when it was last used.
/// </summary>
public sealed class BuildStateStore
{
    private readonly string _root;

    public BuildStateStore(string root) => _root = root;

    public string Root => _root;

    /// <summary>Told when the snapshot cannot be written to a read-only cache (the build goes on; status compares against the old one).</summary>
    public Action<string>? Warn { get; set; }

    public string PathFor(string recipeName, string recipePath) =>
        Path.Combine(_root, $"{recipeName}.{ContentHash.Of(Path.GetFullPath(recipePath))[..8]}.tsv");

    /// <summary>
    /// The records of the recipe's last build. The file read last is kept, by its length and time, so that the probe
    /// and the explanations of one command read it once; callers only read the dictionary.
    /// </summary>
    public IReadOnlyDictionary<string, NodeRecord> Load(string recipeName, string recipePath)
    {
        var path = PathFor(recipeName, recipePath);
        var info = new FileInfo(path);
        if (!info.Exists) return Empty;
        if (_last is { } last && last.Path == path && last.Length == info.Length && last.Ticks == info.LastWriteTimeUtc.Ticks) return last.Records;
        // A read started by Preload is taken if it read the file as it is now; otherwise the file is read again.
        var pending = Interlocked.Exchange(ref _pending, null);
        var records = pending is not null && pending.Path == path && pending.Length == info.Length && pending.Ticks == info.LastWriteTimeUtc.Ticks
            ? pending.Records.GetAwaiter().GetResult()
            : LoadFile(path);
        _last = new LoadedFile(path, info.Length, info.LastWriteTimeUtc.Ticks, records);
        return records;
    }

    /// <summary>
    /// Starts reading the recipe's snapshot on another thread, for a command that will probe after planning: at a
    /// million samples the read takes seconds on one core, which planning leaves partly idle. <see cref="Load"/> takes
    /// the result when the file has not changed since.
    /// </summary>
    public void Preload(string recipeName, string recipePath)
    {
        var path = PathFor(recipeName, recipePath);
        var info = new FileInfo(path);
        // A small snapshot is read in milliseconds when the probe asks (and a small graph's probe may not): no thread for it.
        if (!info.Exists || info.Length < PreloadFrom || _pending is not null) return;
        var read = new PendingFile(path, info.Length, info.LastWriteTimeUtc.Ticks, Task.Run(() => LoadFile(path)));
        Interlocked.CompareExchange(ref _pending, read, null);
    }

    /// <summary>The snapshot size from which <see cref="Preload"/> reads ahead (about 8,000 nodes).</summary>
    internal long PreloadFrom { get; init; } = 1 << 20;

    private sealed record PendingFile(string Path, long Length, long Ticks, Task<Dictionary<string, NodeRecord>> Records);

    private PendingFile? _pending;

    private static readonly Dictionary<string, NodeRecord> Empty = new(StringComparer.Ordinal);

    private sealed record LoadedFile(string Path, long Length, long Ticks, Dictionary<string, NodeRecord> Records);

    private volatile LoadedFile? _last;

    private const char FieldSeparator = '\x1f';
    private const char OutputSeparator = '\x1e';

    /// <summary>Parses a snapshot: one line per node, tab-separated (id, key, ok|failed, message, outputs, metrics).</summary>
    public static Dictionary<string, NodeRecord> LoadFile(string path) => LoadFile(path, ChunkedLineFile.DefaultChunk);

    internal static Dictionary<string, NodeRecord> LoadFile(string path, int chunk)
    {
        // Read in chunks, not whole: at a million samples the file is half a gigabyte, the records parsed from it more.
        Dictionary<string, NodeRecord>? result = null;
        var names = new RecentNames();
        var read = ChunkedLineFile.TryRead(path,
            // Sized for the lines that can be records (id, 32-digit key and status need 40 bytes): a file of newlines
            // planted in the cache presizes nothing large.
            (lines, bytes) => result = new Dictionary<string, NodeRecord>((int)Math.Min(Math.Min(lines, bytes / 40) + 1, 1 << 24), StringComparer.Ordinal),
            text => Parse(text, result!, names), chunk);
        return read && result is not null ? result : new Dictionary<string, NodeRecord>(StringComparer.Ordinal);
    }

    // Tens of thousands of lines on every no-op: the UTF-8 bytes are cut at ASCII separators in a pooled buffer, each
    // field decoded once, "{}" metrics shared, and the dictionary sized from the line count.
    private static void Parse(ReadOnlySpan<byte> text, Dictionary<string, NodeRecord> result, RecentNames names)
    {
        Span<Range> fields = stackalloc Range[7];
        Span<Range> parts = stackalloc Range[4];
        foreach (var lineRange in text.Split((byte)'\n'))
        {
            var line = text[lineRange];
            var count = ByteFields.Cut(line, (byte)'\t', fields);
            if (count < 3) continue;
            var id = Encoding.UTF8.GetString(line[fields[0]]);
            var status = line[fields[2]];
            var ok = status.SequenceEqual("ok"u8);
            IReadOnlyList<OutputFile>? outputs = null;
            if (count > 4 && ok)
            {
                // An array of exactly the outputs, and each output name decoded once per snapshot (a million records
                // name the same few files): a record held by every probed node costs what it must and no more.
                var items = line[fields[4]];
                var list = new OutputFile[items.Count((byte)OutputSeparator) + 1];
                var filled = 0;
                foreach (var itemRange in items.Split((byte)OutputSeparator))
                {
                    var item = items[itemRange];
                    if (item.IsEmpty || filled == list.Length) continue;
                    if (ByteFields.Cut(item, (byte)FieldSeparator, parts) == 3 &&
                        long.TryParse(item[parts[2]], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var size))
                        list[filled++] = new OutputFile(names.Get(item[parts[0]]), Encoding.UTF8.GetString(item[parts[1]]), size);
                }
                outputs = filled == list.Length ? list : list[..filled];
            }
            NodeMetrics? metrics = null;
            if (count > 5)
            {
                var json = line[fields[5]];
                metrics = json.SequenceEqual("{}"u8) ? NodeMetrics.Empty : NodeMetrics.FromJson(Unescape(Encoding.UTF8.GetString(json)));
            }
            var message = count > 3 && !line[fields[3]].IsEmpty ? Unescape(Encoding.UTF8.GetString(line[fields[3]])) : "";
            result[id] = new NodeRecord(id, Encoding.UTF8.GetString(line[fields[1]]), status.SequenceEqual("failed"u8), message) { Outputs = outputs, Metrics = metrics };
        }
    }


    /// <summary>The last few output names decoded, by their bytes: records come stage by stage, naming the same files.</summary>
    private sealed class RecentNames
    {
        private readonly (byte[] Bytes, string Text)[] _recent = new (byte[], string)[8];
        private int _next;

        public string Get(ReadOnlySpan<byte> bytes)
        {
            foreach (var (known, text) in _recent)
                if (known is not null && bytes.SequenceEqual(known)) return text;
            var decoded = Encoding.UTF8.GetString(bytes);
            _recent[_next] = (bytes.ToArray(), decoded);
            _next = (_next + 1) % _recent.Length;
            return decoded;
        }
    }

    /// <summary>Records that the snapshot was used now (what gc's least-recently-used order reads) without rewriting it.</summary>
    public void MarkUsed(string recipeName, string recipePath)
    {
        var path = PathFor(recipeName, recipePath);
        _last = null;
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (FileNotFoundException) { }
        catch (DirectoryNotFoundException) { }
    }

    public IEnumerable<string> EnumerateFiles() =>
        Directory.Exists(_root) ? Directory.EnumerateFiles(_root, "*.tsv") : [];

    public void Save(string recipeName, string recipePath, IEnumerable<NodeRecord> records)
    {
        var builder = new StringBuilder();
        foreach (var r in records)
        {
            builder.Append(r.NodeId).Append('\t').Append(r.Key).Append('\t').Append(r.Failed ? "failed" : "ok").Append('\t').Append(Escape(r.Message));
            if (r.Outputs is not null)
            {
                builder.Append('\t');
                foreach (var o in r.Outputs)
                    builder.Append(o.Name).Append(FieldSeparator).Append(o.Hash).Append(FieldSeparator)
                        .Append(o.Size.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(OutputSeparator);
                builder.Append('\t').Append(Escape((r.Metrics ?? NodeMetrics.Empty).Json));
            }
            builder.Append('\n');
        }
        var path = PathFor(recipeName, recipePath);
        _last = null;
        var bytes = Encoding.UTF8.GetBytes(builder.ToString());
        try
        {
            if (AtomicFile.HasContent(path, bytes))
            {
                // Unchanged: only mark it as used now, which is what gc's least-recently-used order reads.
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
                return;
            }
            AtomicFile.WriteAllBytes(path, bytes);
        }
        catch (Exception e) when (CacheLocation.IsReadOnly(e))
        {
            // A cache the user may only read serves a no-op build; only a full disk or a real failure stops the build.
            Warn?.Invoke($"the build state of {recipeName} was not recorded ({e.Message}): the cache is read-only");
        }
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "");

    private static string Unescape(string s) => !s.Contains('\\') ? s : s.Replace("\\n", "\n").Replace("\\t", "\t").Replace("\\\\", "\\");
}
