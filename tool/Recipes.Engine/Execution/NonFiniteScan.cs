using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recipes.Execution;

/// <summary>
/// The engine's guarantee that nothing non-finite reaches the cache: after a node runs, its metrics and the floating
/// point arrays it wrote (<c>.npy</c>, <c>.npz</c>, <c>.safetensors</c>: float16, bfloat16, float32, float64) are scanned,
/// and a NaN or infinity fails the node, naming the file and the array, before anything is stored. Plug-ins check
/// earlier and say more (a trainer names the step and the setting to change); this is the net under all of them.
/// </summary>
public static class NonFiniteScan
{
    private const int Chunk = 1 << 20;

    /// <summary>A description of the first non-finite value found, or null when everything is finite.</summary>
    public static string? FirstProblem(string outputDirectory, IEnumerable<KeyValuePair<string, JsonNode?>> metrics) =>
        FirstProblem(outputDirectory, Directory.EnumerateFiles(outputDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList(), metrics);

    /// <summary>The same, over the files already listed (the node runner lists a node's outputs once for this and for storing them).</summary>
    public static string? FirstProblem(string outputDirectory, IReadOnlyList<string> files, IEnumerable<KeyValuePair<string, JsonNode?>> metrics)
    {
        foreach (var (name, value) in metrics)
            if (FirstNonFinite(value, name) is { } path) return $"metric '{path}' is not a finite number";
        foreach (var file in files)
        {
            var name = Path.GetRelativePath(outputDirectory, file).Replace('\\', '/');
            var problem = Path.GetExtension(file).ToLowerInvariant() switch
            {
                ".npy" => ScanNpy(file),
                ".npz" => ScanNpz(file),
                ".safetensors" => ScanSafeTensors(file),
                _ => null,
            };
            if (problem is not null) return $"output '{name}' {problem}";
        }
        return null;
    }

    private static string? FirstNonFinite(JsonNode? node, string path) => node switch
    {
        JsonValue value when value.TryGetValue(out double d) => double.IsFinite(d) ? null : path,
        JsonValue value when value.TryGetValue(out float f) => float.IsFinite(f) ? null : path,
        JsonObject obj => obj.Select(p => FirstNonFinite(p.Value, $"{path}.{p.Key}")).FirstOrDefault(p => p is not null),
        JsonArray array => array.Select((v, i) => FirstNonFinite(v, $"{path}[{i}]")).FirstOrDefault(p => p is not null),
        _ => null,
    };

    private static string? ScanNpy(string path)
    {
        using var stream = File.OpenRead(path);
        return ScanNpy(stream);
    }

    private static string? ScanNpz(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal)))
        {
            using var stream = entry.Open();
            if (ScanNpy(stream) is { } problem) return $"array '{Path.GetFileNameWithoutExtension(entry.FullName)}' {problem}";
        }
        return null;
    }

    /// <summary>Reads a .npy header (format 1.0 to 3.0) and scans the data when its dtype is floating point.</summary>
    private static string? ScanNpy(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[10];
        if (!TryReadExactly(stream, prefix) || prefix[0] != 0x93 || prefix[1] != (byte)'N') return null;
        var headerLength = prefix[6] == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]) : ReadUInt32After(stream, prefix);
        var header = new byte[headerLength];
        if (!TryReadExactly(stream, header)) return null;
        var text = Encoding.Latin1.GetString(header);
        var at = text.IndexOf("'descr'", StringComparison.Ordinal);
        if (at < 0) return null;
        var start = text.IndexOf('\'', at + 7 + 1);
        var end = start < 0 ? -1 : text.IndexOf('\'', start + 1);
        if (end < 0) return null;
        var kind = DTypeOf(text[(start + 1)..end]);
        return kind is null ? null : ScanStream(stream, kind.Value, long.MaxValue);
    }

    private static uint ReadUInt32After(Stream stream, ReadOnlySpan<byte> prefix)
    {
        Span<byte> rest = stackalloc byte[2];
        return TryReadExactly(stream, rest) ? BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], rest[0], rest[1]]) : 0;
    }

    private static string? ScanSafeTensors(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (!TryReadExactly(stream, lengthBytes)) return null;
        var length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (length == 0 || length > (ulong)Math.Min(stream.Length - 8, 100_000_000)) return null;
        var header = new byte[(int)length];
        if (!TryReadExactly(stream, header)) return null;
        JsonObject? tensors;
        try
        {
            tensors = JsonNode.Parse(header) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        if (tensors is null) return null;
        var dataStart = 8 + (long)length;
        foreach (var (name, tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (name == "__metadata__" || tensor is not JsonObject described) continue;
            var kind = (described["dtype"] as JsonValue)?.GetValue<string>() switch
            {
                "F16" => FloatKind.Half,
                "BF16" => FloatKind.BFloat16,
                "F32" => FloatKind.Single,
                "F64" => FloatKind.Double,
                _ => (FloatKind?)null,
            };
            if (kind is null || described["data_offsets"] is not JsonArray { Count: 2 } offsets) continue;
            var (from, to) = (offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
            stream.Position = dataStart + from;
            if (ScanStream(stream, kind.Value, to - from) is { } problem) return $"tensor '{name}' {problem}";
        }
        return null;
    }

    private enum FloatKind { Half, BFloat16, Single, Double }

    private static FloatKind? DTypeOf(string descr) => descr switch
    {
        "<f2" or "|f2" => FloatKind.Half,
        "<f4" or "|f4" => FloatKind.Single,
        "<f8" or "|f8" => FloatKind.Double,
        _ => null,
    };

    private static int Size(FloatKind kind) => kind switch { FloatKind.Half or FloatKind.BFloat16 => 2, FloatKind.Single => 4, _ => 8 };

    /// <summary>
    /// Scans up to <paramref name="length"/> bytes of little-endian floats in chunks, so large arrays need no large
    /// buffer. The chunk is pooled and no larger than what is left to read: a fresh megabyte per array (zeroed, on the
    /// large-object heap) was most of the engine's own time for a node that writes two 8×8 arrays.
    /// </summary>
    private static string? ScanStream(Stream stream, FloatKind kind, long length)
    {
        var size = Size(kind);
        var left = stream.CanSeek ? Math.Min(length, Math.Max(0, stream.Length - stream.Position)) : length;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(left, 64, Chunk));
        try
        {
            return ScanChunks(stream, kind, size, length, buffer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string? ScanChunks(Stream stream, FloatKind kind, int size, long length, byte[] buffer)
    {
        long index = 0;
        var carry = 0;
        while (length > 0)
        {
            var read = stream.Read(buffer, carry, (int)Math.Min(buffer.Length - carry, length));
            if (read <= 0) break;
            length -= read;
            var usable = (carry + read) / size * size;
            var bad = FirstNonFinite(buffer.AsSpan(0, usable), kind);
            if (bad >= 0) return $"holds a non-finite value at element {index + bad}";
            index += usable / size;
            carry = carry + read - usable;
            if (carry > 0) Buffer.BlockCopy(buffer, usable, buffer, 0, carry);
        }
        return null;
    }

    private static int FirstNonFinite(ReadOnlySpan<byte> bytes, FloatKind kind)
    {
        switch (kind)
        {
            case FloatKind.Single:
            {
                var values = MemoryMarshal.Cast<byte, float>(bytes);
                for (var i = 0; i < values.Length; i++) if (!float.IsFinite(values[i])) return i;
                return -1;
            }
            case FloatKind.Double:
            {
                var values = MemoryMarshal.Cast<byte, double>(bytes);
                for (var i = 0; i < values.Length; i++) if (!double.IsFinite(values[i])) return i;
                return -1;
            }
            case FloatKind.Half:
            {
                var values = MemoryMarshal.Cast<byte, Half>(bytes);
                for (var i = 0; i < values.Length; i++) if (!Half.IsFinite(values[i])) return i;
                return -1;
            }
            default:
            {
                // bfloat16 is the top half of a float32: all exponent bits set means NaN or infinity.
                var values = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (var i = 0; i < values.Length; i++) if ((values[i] & 0x7F80) == 0x7F80) return i;
                return -1;
            }
        }
    }

    private static bool TryReadExactly(Stream stream, Span<byte> buffer)
    {
        try
        {
            stream.ReadExactly(buffer);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
