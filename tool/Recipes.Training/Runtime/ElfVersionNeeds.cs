using System.Buffers.Binary;
using System.Text;

namespace Recipes.Training;

/// <summary>
/// Reads and edits the version requirements (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF shared library.
/// Used for the one known TorchSharp fix on Debian 12: <c>libLibTorchSharp.so</c> requires GLIBCXX_3.4.32 for a
/// link-time marker symbol no relocation uses; marking that requirement weak (VER_FLG_WEAK) lets the loader accept
/// GCC 12's libstdc++, which stops at GLIBCXX_3.4.30.
/// </summary>
public static class ElfVersionNeeds
{
    public const ushort WeakFlag = 0x2;
    private const uint VersionNeedSection = 0x6ffffffe;

    public sealed record Requirement(string File, string Version, ushort Flags, long FlagsOffset);

    public static IReadOnlyList<Requirement> Read(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        var span = elf.AsSpan();
        var sectionOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        var sectionSize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        var result = new List<Requirement>();
        for (var s = 0; s < sectionCount; s++)
        {
            var header = span[(int)(sectionOffset + s * sectionSize)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != VersionNeedSection) continue;
            var offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..]);
            var link = BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]);
            var info = BinaryPrimitives.ReadUInt32LittleEndian(header[0x2C..]);
            var strings = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[(int)(sectionOffset + link * sectionSize + 0x18)..]);
            var need = offset;
            for (var n = 0; n < info; n++)
            {
                var count = BinaryPrimitives.ReadUInt16LittleEndian(span[(int)(need + 2)..]);
                var file = Name(span, strings + BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 4)..]));
                var aux = need + BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 8)..]);
                for (var a = 0; a < count; a++)
                {
                    var flags = BinaryPrimitives.ReadUInt16LittleEndian(span[(int)(aux + 4)..]);
                    var version = Name(span, strings + BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(aux + 8)..]));
                    result.Add(new Requirement(file, version, flags, aux + 4));
                    var nextAux = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(aux + 12)..]);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                var next = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 12)..]);
                if (next == 0) break;
                need += next;
            }
        }
        return result;
    }

    /// <summary>Marks the requirement of <paramref name="version"/> weak; returns false when it already was (or is absent).</summary>
    public static bool MakeWeak(byte[] elf, string version)
    {
        var changed = false;
        foreach (var requirement in Read(elf).Where(r => r.Version == version && (r.Flags & WeakFlag) == 0))
        {
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan((int)requirement.FlagsOffset), (ushort)(requirement.Flags | WeakFlag));
            changed = true;
        }
        return changed;
    }

    private static string Name(ReadOnlySpan<byte> span, long offset)
    {
        var end = span[(int)offset..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(span.Slice((int)offset, end));
    }
}
