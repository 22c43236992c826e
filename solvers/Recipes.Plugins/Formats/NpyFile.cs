using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Recipes.Plugins.Formats;

/// <summary>
/// Reads and writes numpy's <c>.npy</c> format (version 1.0) for float32 and int32 arrays, so that
/// <c>numpy.load</c> opens what the stages write and the stages read what numpy writes.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Header bytes read at most (numpy itself refuses headers over 10,000 bytes by default).</summary>
    public const int MaxHeaderBytes = 1 << 16;

    /// <summary>Elements of one array at most: what one .NET array of floats holds.</summary>
    public const long MaxElements = int.MaxValue / 2;

    /// <summary>Bytes of one .npy file read at most.</summary>
    public const long MaxFileBytes = 8L << 30;

    public static void Write(string path, NpyArray array)
    {
        using var stream = File.Create(path);
        Write(stream, array);
    }

    public static void Write(Stream stream, NpyArray array) =>
        WriteRaw(stream, "<f4", array.Shape, MemoryMarshal.AsBytes(array.Data.AsSpan()));

    public static void WriteInt32(Stream stream, int[] shape, int[] data) =>
        WriteRaw(stream, "<i4", shape, MemoryMarshal.AsBytes(data.AsSpan()));

    public static void WriteInt32(string path, int[] shape, int[] data)
    {
        using var stream = File.Create(path);
        WriteInt32(stream, shape, data);
    }

    /// <summary>
    /// A one-dimensional array of dtype <c>object</c> (descr <c>'|O'</c>) holding numeric arrays: the header, then the
    /// pickle <c>np.save</c> writes for it (<see cref="NumpyPickle"/>). numpy loads it with <c>allow_pickle=True</c>.
    /// </summary>
    public static void WriteObjects(Stream stream, IReadOnlyList<PickledArray> items)
    {
        WriteRaw(stream, "|O", [items.Count], []);
        NumpyPickle.WriteObjectArray(stream, items);
    }

    /// <summary>The items of a one-dimensional object array of numeric arrays, as <see cref="WriteObjects"/> and numpy write it.</summary>
    public static IReadOnlyList<PickledArray> ReadObjects(Stream stream, string name = "array")
    {
        var (descr, _) = ReadHeader(stream, name);
        if (descr != "|O") throw new InvalidDataException($"{name}: expected an object array, found dtype {descr}");
        return NumpyPickle.ReadObjectArray(stream, name);
    }

    public static byte[] ToBytes(NpyArray array)
    {
        using var memory = new MemoryStream();
        Write(memory, array);
        return memory.ToArray();
    }

    private static void WriteRaw(Stream stream, string descr, int[] shape, ReadOnlySpan<byte> data)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        var shapeText = shape.Length == 1
            ? $"({shape[0]},)"
            : "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // numpy pads the header with spaces so that the data starts on a 64-byte boundary and ends it with '\n'.
        var total = Magic.Length + 2 + 2 + header.Length + 1;
        var padding = (64 - total % 64) % 64;
        header = header + new string(' ', padding) + "\n";
        Span<byte> prefix = stackalloc byte[10];
        Magic.CopyTo(prefix);
        prefix[6] = 1;
        prefix[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(prefix[8..], checked((ushort)header.Length));
        stream.Write(prefix);
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(data);
    }

    /// <summary>
    /// An array from a regular file of bounded size whose header is checked before any data is allocated: its length,
    /// its shape (whole, non-negative, at most <see cref="MaxElements"/> values) and that the file holds that many.
    /// </summary>
    public static NpyArray Read(string path)
    {
        using var stream = Files.RegularFile.OpenRead(path, MaxFileBytes);
        return Read(stream, path);
    }

    public static NpyArray Read(Stream stream, string name = "array")
    {
        var (descr, shape) = ReadHeader(stream, name);
        var count = Count(stream, name, shape, descr switch { "<f8" => 8, _ => 4 });
        var data = new float[count];
        switch (descr)
        {
            case "<f4":
                stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
                break;
            case "<f8":
                var doubles = new double[count];
                stream.ReadExactly(MemoryMarshal.AsBytes(doubles.AsSpan()));
                for (var i = 0; i < count; i++) data[i] = (float)doubles[i];
                break;
            case "<i4":
                var ints = new int[count];
                stream.ReadExactly(MemoryMarshal.AsBytes(ints.AsSpan()));
                for (var i = 0; i < count; i++) data[i] = ints[i];
                break;
            default:
                throw new InvalidDataException($"{name}: dtype {descr} is not supported (float32, float64, int32 are)");
        }
        return new NpyArray(shape, data);
    }

    public static int[] ReadInt32(string path)
    {
        using var stream = Files.RegularFile.OpenRead(path, MaxFileBytes);
        var (descr, shape) = ReadHeader(stream, path);
        if (descr != "<i4") throw new InvalidDataException($"{path}: expected int32, found {descr}");
        var data = new int[Count(stream, path, shape, 4)];
        stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        return data;
    }

    /// <summary>The number of values <paramref name="shape"/> declares, checked against the limit and, where the stream knows its length, against the bytes left.</summary>
    private static long Count(Stream stream, string name, int[] shape, int itemSize)
    {
        var count = 1L;
        foreach (var dimension in shape)
        {
            count *= dimension;
            if (count > MaxElements) throw new InvalidDataException($"{name}: its shape ({string.Join(", ", shape)}) declares more than {MaxElements} values");
        }
        if (stream.CanSeek && stream.Length - stream.Position < count * itemSize)
            throw new InvalidDataException($"{name}: truncated: its shape ({string.Join(", ", shape)}) needs {count * itemSize} bytes of data, the file holds {stream.Length - stream.Position}");
        return count;
    }

    private static (string Descr, int[] Shape) ReadHeader(Stream stream, string name)
    {
        Span<byte> prefix = stackalloc byte[10];
        stream.ReadExactly(prefix);
        if (!prefix[..6].SequenceEqual(Magic)) throw new InvalidDataException($"{name}: not a .npy file");
        int headerLength;
        if (prefix[6] == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
        }
        else
        {
            Span<byte> extra = stackalloc byte[2];
            stream.ReadExactly(extra);
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], extra[0], extra[1]]);
        }
        if (headerLength is <= 0 or > MaxHeaderBytes) throw new InvalidDataException($"{name}: a header of {headerLength} bytes (at most {MaxHeaderBytes} are read)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var header = Encoding.Latin1.GetString(headerBytes);
        var descr = Between(header, "'descr':", ",").Trim().Trim('\'');
        if (Between(header, "'fortran_order':", ",").Trim() != "False")
            throw new InvalidDataException($"{name}: Fortran-ordered arrays are not supported");
        var shapeText = Between(header, "'shape':", ")").Trim().TrimStart('(');
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d
                : throw new InvalidDataException($"{name}: its shape holds '{s}', not a whole non-negative number")).ToArray();
        if (shape.Length > 32) throw new InvalidDataException($"{name}: {shape.Length} dimensions (numpy allows 32)");
        return (descr, shape);
    }

    private static string Between(string text, string start, string end)
    {
        var i = text.IndexOf(start, StringComparison.Ordinal);
        if (i < 0) throw new InvalidDataException($"npy header lacks {start}");
        i += start.Length;
        var j = text.IndexOf(end, i, StringComparison.Ordinal);
        return j < 0 ? text[i..] : text[i..j];
    }
}
