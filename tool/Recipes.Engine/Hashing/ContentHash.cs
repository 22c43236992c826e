using System.IO.Hashing;
using System.Text;

namespace Recipes.Hashing;

/// <summary>The content hash of the hashing contract: XxHash128 of the bytes, as 32 lower-case hex characters.</summary>
public static class ContentHash
{
    public const int Length = 32;

    public static string Of(ReadOnlySpan<byte> bytes) => Hex(XxHash128.Hash(bytes));

    public static string Of(string text) => Of(Encoding.UTF8.GetBytes(text));

    /// <summary>Chunk size of file hashing and copying, from a shared pool: a bulk build hashes and copies every output
    /// of thousands of nodes, and a fresh 64 KiB buffer (or a buffered FileStream's) per file was most of its allocation.</summary>
    private const int Chunk = 1 << 16;

    public static string OfFile(string path)
    {
        // Unbuffered (bufferSize 0): the loop reads whole chunks, so a FileStream buffer would only be copied through.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
        var hasher = new XxHash128();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            int read;
            while ((read = stream.Read(buffer, 0, Chunk)) > 0) hasher.Append(buffer.AsSpan(0, read));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return Hex(hasher.GetCurrentHash());
    }

    public static string OfStream(Stream stream)
    {
        var hasher = new XxHash128();
        hasher.Append(stream);
        return Hex(hasher.GetCurrentHash());
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> and returns the hash of what was copied, in one pass.</summary>
    public static string CopyAndHash(Stream source, Stream target)
    {
        var hasher = new XxHash128();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            int read;
            while ((read = source.Read(buffer, 0, Chunk)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
                target.Write(buffer, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return Hex(hasher.GetCurrentHash());
    }

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static bool IsValid(string text) => text.Length == Length && !text.AsSpan().ContainsAnyExcept(LowerHex);

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
