using System.IO.Hashing;
using System.Text;

namespace Recipes.Hashing;

/// <summary>The content hash of the hashing contract: XxHash128 of the bytes, as 32 lower-case hex characters.</summary>
public static class ContentHash
{
    public const int Length = 32;

    public static string Of(ReadOnlySpan<byte> bytes) => Hex(XxHash128.Hash(bytes));

    public static string Of(string text) => Of(Encoding.UTF8.GetBytes(text));

    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return OfStream(stream);
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
        var buffer = new byte[1 << 16];
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            hasher.Append(buffer.AsSpan(0, read));
            target.Write(buffer, 0, read);
        }
        return Hex(hasher.GetCurrentHash());
    }

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static bool IsValid(string text) => text.Length == Length && !text.AsSpan().ContainsAnyExcept(LowerHex);

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
