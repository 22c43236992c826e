using System.IO.Hashing;
using System.Text;

namespace Recipes.Hashing;

/// <summary>Feeds labelled fields into an XxHash128 so that no two different field lists hash the same bytes.</summary>
public sealed class KeyBuilder
{
    private readonly XxHash128 _hash = new();

    public KeyBuilder Add(string label, string value)
    {
        Field(label);
        Field(value);
        return this;
    }

    private void Field(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = max > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        var count = Encoding.UTF8.GetBytes(text, buffer);
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, count);
        _hash.Append(length);
        _hash.Append(buffer[..count]);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
    }

    public string Build() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public ulong BuildSeed() => _hash.GetCurrentHashAsUInt128() is var v ? (ulong)(v >> 64) : 0;
}
