using System.IO.Compression;

namespace Recipes.Plugins.Formats;

/// <summary>
/// numpy's <c>.npz</c>: a zip of <c>.npy</c> members, readable with <c>numpy.load</c>. Members are stored uncompressed in
/// name order with a fixed timestamp, so equal arrays give byte-identical archives.
/// </summary>
public static class NpzFile
{
    private static readonly DateTimeOffset FixedTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Write(string path, IReadOnlyDictionary<string, NpyArray> floats, IReadOnlyDictionary<string, (int[] Shape, int[] Data)>? ints = null)
    {
        using var stream = File.Create(path);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        var names = floats.Keys.Concat(ints?.Keys ?? []).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
            entry.LastWriteTime = FixedTime;
            using var member = entry.Open();
            if (floats.TryGetValue(name, out var array)) NpyFile.Write(member, array);
            else NpyFile.WriteInt32(member, ints![name].Shape, ints[name].Data);
        }
    }

    public static Dictionary<string, NpyArray> Read(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            using var member = entry.Open();
            using var copy = new MemoryStream();
            member.CopyTo(copy);
            copy.Position = 0;
            result[Path.GetFileNameWithoutExtension(entry.Name)] = NpyFile.Read(copy, entry.Name);
        }
        return result;
    }
}
