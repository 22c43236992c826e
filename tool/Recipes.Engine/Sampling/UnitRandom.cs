using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Recipes.Sampling;

/// <summary>
/// Counter-based random numbers: a draw is a hash of (seed, sample index, parameter name, stream), so sample i never
/// depends on how many samples there are nor on which other parameters exist.
/// </summary>
public static class UnitRandom
{
    public static ulong Bits(long seed, long index, string name, int stream = 0)
    {
        var nameBytes = Encoding.UTF8.GetByteCount(name);
        Span<byte> buffer = nameBytes <= 200 ? stackalloc byte[20 + nameBytes] : new byte[20 + nameBytes];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, seed);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[8..], index);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[16..], stream);
        Encoding.UTF8.GetBytes(name, buffer[20..]);
        return XxHash3.HashToUInt64(buffer);
    }

    /// <summary>A double in [0,1) with 53 random bits.</summary>
    public static double Unit(long seed, long index, string name, int stream = 0) =>
        (Bits(seed, index, name, stream) >> 11) * (1.0 / (1UL << 53));
}
