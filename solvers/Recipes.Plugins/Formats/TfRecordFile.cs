using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Recipes.Plugins.Formats;

/// <summary>
/// TensorFlow's TFRecord container, as <c>tf.data.TFRecordDataset</c> reads it: per record the length as uint64
/// little-endian, the masked CRC-32C of those eight bytes (uint32 LE), the data, and the masked CRC-32C of the data.
/// </summary>
public static class TfRecordFile
{
    public static void Write(string path, IEnumerable<byte[]> records)
    {
        using var stream = File.Create(path);
        foreach (var record in records) WriteRecord(stream, record);
    }

    public static void WriteRecord(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)data.Length);
        Span<byte> crc = stackalloc byte[4];
        stream.Write(length);
        BinaryPrimitives.WriteUInt32LittleEndian(crc, MaskedCrc(length));
        stream.Write(crc);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32LittleEndian(crc, MaskedCrc(data));
        stream.Write(crc);
    }

    /// <summary>
    /// TFRecord's mask over CRC-32C (Castagnoli), from TensorFlow's <c>crc32c.h</c>: rotate right by 15 bits and add a
    /// constant, because a CRC over data that itself holds CRCs is weak.
    /// </summary>
    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    /// <summary>
    /// CRC-32C: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF. <see cref="BitOperations.Crc32C(uint, ulong)"/>
    /// is the bare reflected update (the SSE4.2/ARMv8 instruction where present, a table otherwise), so the initial
    /// value and the final XOR are applied here. System.IO.Hashing offers only CRC-32 (IEEE) and CRC-64.
    /// </summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8) crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        for (; i < data.Length; i++) crc = BitOperations.Crc32C(crc, data[i]);
        return ~crc;
    }
}

/// <summary>
/// Hand-written protobuf encoding of the <c>tf.train</c> messages that Learning to Simulate's datasets use
/// (tensorflow/core/example/example.proto and feature.proto). Field numbers: <c>SequenceExample</c> context = 1,
/// feature_lists = 2; <c>Features</c> feature = 1 and <c>FeatureLists</c> feature_list = 1 (both maps, encoded as
/// repeated entries with key = 1, value = 2); <c>FeatureList</c> feature = 1; <c>Feature</c> bytes_list = 1,
/// float_list = 2, int64_list = 3; <c>BytesList</c> value = 1; <c>Int64List</c> value = 1 (packed).
/// </summary>
public static class TfExample
{
    /// <summary>An encoded <c>tf.train.Feature</c> with a <c>BytesList</c> of the given values.</summary>
    public static byte[] BytesFeature(params byte[][] values)
    {
        var list = new MemoryStream();
        foreach (var value in values) WriteBytesField(list, 1, value);
        var feature = new MemoryStream();
        WriteBytesField(feature, 1, list.ToArray());
        return feature.ToArray();
    }

    /// <summary>An encoded <c>tf.train.Feature</c> with an <c>Int64List</c> of the given values (packed varints).</summary>
    public static byte[] Int64Feature(params long[] values)
    {
        var packed = new MemoryStream();
        foreach (var value in values) WriteVarint(packed, unchecked((ulong)value)); // int64 negatives take ten bytes, as protobuf encodes them
        var list = new MemoryStream();
        WriteBytesField(list, 1, packed.ToArray());
        var feature = new MemoryStream();
        WriteBytesField(feature, 3, list.ToArray());
        return feature.ToArray();
    }

    /// <summary>
    /// An encoded <c>tf.train.SequenceExample</c>: context features by name, and feature lists by name (one encoded
    /// Feature per step). Entries are written in the order given; parsers do not depend on it.
    /// </summary>
    public static byte[] SequenceExample(IEnumerable<(string Name, byte[] Feature)> context, IEnumerable<(string Name, IReadOnlyList<byte[]> Steps)> featureLists)
    {
        var features = new MemoryStream();
        foreach (var (name, feature) in context) WriteBytesField(features, 1, MapEntry(name, feature));
        var lists = new MemoryStream();
        foreach (var (name, steps) in featureLists)
        {
            var list = new MemoryStream();
            foreach (var step in steps) WriteBytesField(list, 1, step);
            WriteBytesField(lists, 1, MapEntry(name, list.ToArray()));
        }
        var example = new MemoryStream();
        WriteBytesField(example, 1, features.ToArray());
        WriteBytesField(example, 2, lists.ToArray());
        return example.ToArray();
    }

    private static byte[] MapEntry(string key, byte[] value)
    {
        var entry = new MemoryStream();
        WriteBytesField(entry, 1, Encoding.UTF8.GetBytes(key));
        WriteBytesField(entry, 2, value);
        return entry.ToArray();
    }

    /// <summary>A length-delimited field (wire type 2): tag, length varint, bytes.</summary>
    private static void WriteBytesField(Stream stream, int field, ReadOnlySpan<byte> value)
    {
        WriteVarint(stream, (ulong)field << 3 | 2);
        WriteVarint(stream, (ulong)value.Length);
        stream.Write(value);
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }
}
