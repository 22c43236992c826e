using System.IO.Compression;

namespace Recipes.Plugins.Formats;

/// <summary>
/// numpy's <c>.npz</c>: a zip of <c>.npy</c> members, readable with <c>numpy.load</c>. Members are stored uncompressed in
/// name order with a fixed timestamp, so equal arrays give byte-identical archives.
/// </summary>
public static class NpzFile
{
    private static readonly DateTimeOffset FixedTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Write(string path, IReadOnlyDictionary<string, NpyArray> floats, IReadOnlyDictionary<string, (int[] Shape, int[] Data)>? ints = null) =>
        WriteMembers(path, floats.Keys.Concat(ints?.Keys ?? []), (name, member) =>
        {
            if (floats.TryGetValue(name, out var array)) NpyFile.Write(member, array);
            else NpyFile.WriteInt32(member, ints![name].Shape, ints[name].Data);
        });

    /// <summary>
    /// Members that are object arrays of numeric arrays (<see cref="NpyFile.WriteObjects"/>), as
    /// <c>np.savez(path, key=np.array([a, b], dtype=object))</c> writes them; numpy loads them with <c>allow_pickle=True</c>.
    /// </summary>
    public static void WriteObjects(string path, IReadOnlyDictionary<string, IReadOnlyList<PickledArray>> entries) =>
        WriteMembers(path, entries.Keys, (name, member) => NpyFile.WriteObjects(member, entries[name]));

    private static void WriteMembers(string path, IEnumerable<string> names, Action<string, Stream> write)
    {
        using var stream = File.Create(path);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
            entry.LastWriteTime = FixedTime;
            using var member = entry.Open();
            write(name, member);
        }
    }

    public static Dictionary<string, NpyArray> Read(string path)
    {
        var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        foreach (var (name, member) in Members(path)) result[name] = NpyFile.Read(member, name);
        return result;
    }

    /// <summary>The object-array members in archive order (the order <c>numpy.load(...).items()</c> gives).</summary>
    public static List<(string Name, IReadOnlyList<PickledArray> Items)> ReadObjects(string path) =>
        Members(path).Select(m => (m.Name, NpyFile.ReadObjects(m.Member, $"{path}: {m.Name}"))).ToList();

    private static IEnumerable<(string Name, MemoryStream Member)> Members(string path)
    {
        // A regular file of bounded size, and no member past its own declared size or the .npy cap (a zip bomb).
        using var file = Files.RegularFile.OpenRead(path, NpyFile.MaxFileBytes);
        using var zip = new ZipArchive(file, ZipArchiveMode.Read);
        foreach (var entry in zip.Entries)
        {
            if (entry.Length > int.MaxValue) throw new InvalidDataException($"{path}: member {entry.FullName} declares {entry.Length} bytes");
            using var member = entry.Open();
            using var copy = new MemoryStream();
            var buffer = new byte[1 << 16];
            for (int n; (n = member.Read(buffer)) > 0;)
            {
                if (copy.Length + n > entry.Length) throw new InvalidDataException($"{path}: member {entry.FullName} is longer than it declares");
                copy.Write(buffer, 0, n);
            }
            copy.Position = 0;
            yield return (Path.GetFileNameWithoutExtension(entry.Name), copy);
        }
    }
}
