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

    /// <summary>
    /// Adds a canonical JSON object given as members already sorted: the same bytes as <c>Add(label,
    /// CanonicalJson.ObjectOf(members))</c>, without making the object's text.
    /// </summary>
    public KeyBuilder AddObject(string label, IReadOnlyList<KeyValuePair<string, string>> sortedMembers)
    {
        // Each member read once (a spec may make a value when read: a dataset shard's membership), into a pooled copy
        // that both passes walk.
        var count = sortedMembers.Count;
        var members = System.Buffers.ArrayPool<KeyValuePair<string, string>>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < count; i++) members[i] = sortedMembers[i];
            Field(label);
            var length = 2 + Math.Max(0, count - 1);
            for (var i = 0; i < count; i++)
                length += Encoding.UTF8.GetByteCount(CanonicalJson.QuotedName(members[i].Key)) + 1 + Encoding.UTF8.GetByteCount(members[i].Value);
            Span<byte> prefix = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(prefix, length);
            _hash.Append(prefix);
            _hash.Append("{"u8);
            for (var i = 0; i < count; i++)
            {
                if (i > 0) _hash.Append(","u8);
                Raw(CanonicalJson.QuotedName(members[i].Key));
                _hash.Append(":"u8);
                Raw(members[i].Value);
            }
            _hash.Append("}"u8);
        }
        finally
        {
            System.Buffers.ArrayPool<KeyValuePair<string, string>>.Shared.Return(members, clearArray: true);
        }
        return this;
    }

    /// <summary>
    /// Adds a field whose label is <paramref name="prefix"/> followed by <paramref name="name"/>: the same bytes as
    /// <c>Add(prefix + name, value)</c> without making the label (the probe of a large graph keys every input of
    /// every node).
    /// </summary>
    public KeyBuilder Add(string prefix, string name, string value)
    {
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, Encoding.UTF8.GetByteCount(prefix) + Encoding.UTF8.GetByteCount(name));
        _hash.Append(length);
        Raw(prefix);
        Raw(name);
        Field(value);
        return this;
    }

    /// <summary>Appends text's UTF-8 bytes without a length (a piece of a field whose length was written).</summary>
    private void Raw(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = max > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        var count = Encoding.UTF8.GetBytes(text, buffer);
        _hash.Append(buffer[..count]);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
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

    public string Build()
    {
        Span<byte> hash = stackalloc byte[16];
        _hash.GetCurrentHash(hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// The key, as <see cref="Build"/> gives it, but returning <paramref name="expected"/> itself when that is the same
    /// text: a probe that knows the key the last build recorded makes no second string of it.
    /// </summary>
    public string Build(string? expected)
    {
        Span<byte> hash = stackalloc byte[16];
        _hash.GetCurrentHash(hash);
        Span<char> hex = stackalloc char[32];
        Convert.TryToHexStringLower(hash, hex, out _);
        return expected is not null && hex.SequenceEqual(expected) ? expected : new string(hex);
    }

    /// <summary>Starts over, so that one builder can hash many keys in turn (one per thread on hot paths).</summary>
    public KeyBuilder Reset()
    {
        _hash.Reset();
        return this;
    }

    public ulong BuildSeed() => _hash.GetCurrentHashAsUInt128() is var v ? (ulong)(v >> 64) : 0;
}
