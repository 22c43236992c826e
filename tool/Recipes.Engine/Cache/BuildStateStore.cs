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

    public string PathFor(string recipeName, string recipePath) =>
        Path.Combine(_root, $"{recipeName}.{ContentHash.Of(Path.GetFullPath(recipePath))[..8]}.tsv");

    public Dictionary<string, NodeRecord> Load(string recipeName, string recipePath) => LoadFile(PathFor(recipeName, recipePath));

    private const char FieldSeparator = '\x1f';
    private const char OutputSeparator = '\x1e';

    public static Dictionary<string, NodeRecord> LoadFile(string path)
    {
        var result = new Dictionary<string, NodeRecord>(StringComparer.Ordinal);
        if (!File.Exists(path)) return result;
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split('\t');
            if (parts.Length < 3) continue;
            IReadOnlyList<OutputFile>? outputs = null;
            if (parts.Length > 4 && parts[2] == "ok")
            {
                var list = new List<OutputFile>();
                foreach (var item in parts[4].Split(OutputSeparator, StringSplitOptions.RemoveEmptyEntries))
                {
                    var f = item.Split(FieldSeparator);
                    if (f.Length == 3 && long.TryParse(f[2], System.Globalization.CultureInfo.InvariantCulture, out var size))
                        list.Add(new OutputFile(f[0], f[1], size));
                }
                outputs = list;
            }
            result[parts[0]] = new NodeRecord(parts[0], parts[1], parts[2] == "failed", parts.Length > 3 ? Unescape(parts[3]) : "")
            {
                Outputs = outputs,
                Metrics = parts.Length > 5 ? NodeMetrics.FromJson(Unescape(parts[5])) : null,
            };
        }
        return result;
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
        var bytes = Encoding.UTF8.GetBytes(builder.ToString());
        if (File.Exists(path) && new FileInfo(path).Length == bytes.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
        {
            // Unchanged: only mark it as used now, which is what gc's least-recently-used order reads.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            return;
        }
        AtomicFile.WriteAllBytes(path, bytes);
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "");

    private static string Unescape(string s) => !s.Contains('\\') ? s : s.Replace("\\n", "\n").Replace("\\t", "\t").Replace("\\\\", "\\");
}
