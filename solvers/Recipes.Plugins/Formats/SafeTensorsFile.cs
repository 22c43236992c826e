using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recipes.Plugins.Formats;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and
/// byte range, then the raw little-endian data. Tensors are written in name order and the header padded to 8 bytes,
/// so equal tensors give equal files. Float32 and int32 tensors are supported.
/// </summary>
public static class SafeTensorsFile
{
    public sealed record Tensor(string DType, int[] Shape, byte[] Data)
    {
        public static Tensor Of(NpyArray array) => new("F32", array.Shape, MemoryMarshal.AsBytes(array.Data.AsSpan()).ToArray());
        public static Tensor OfInts(int[] shape, int[] data) => new("I32", shape, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());

        public NpyArray ToArray()
        {
            if (DType != "F32") throw new InvalidDataException($"tensor is {DType}, not F32");
            return new NpyArray(Shape, MemoryMarshal.Cast<byte, float>(Data).ToArray());
        }

        public int[] ToInts()
        {
            if (DType != "I32") throw new InvalidDataException($"tensor is {DType}, not I32");
            return MemoryMarshal.Cast<byte, int>(Data).ToArray();
        }
    }

    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new KeyValuePair<string, JsonNode?>(m.Key, m.Value)));
        long offset = 0;
        var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        foreach (var (name, tensor) in ordered)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = tensor.DType,
                ["shape"] = new JsonArray(tensor.Shape.Select(s => (JsonNode?)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + tensor.Data.Length),
            };
            offset += tensor.Data.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var (_, tensor) in ordered) stream.Write(tensor.Data);
    }

    public static Dictionary<string, Tensor> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        var data = 8 + headerLength;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__") continue;
            var offsets = node!["data_offsets"]!.AsArray();
            var begin = offsets[0]!.GetValue<long>();
            var end = offsets[1]!.GetValue<long>();
            result[name] = new Tensor(
                node["dtype"]!.GetValue<string>(),
                node["shape"]!.AsArray().Select(s => s!.GetValue<int>()).ToArray(),
                bytes.AsSpan((int)(data + begin), (int)(end - begin)).ToArray());
        }
        return result;
    }

    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        return header["__metadata__"] is JsonObject m
            ? m.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>())
            : new Dictionary<string, string>();
    }
}
