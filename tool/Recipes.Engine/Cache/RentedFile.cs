using System.Buffers;

namespace Recipes.Cache;

/// <summary>
/// A small file's bytes in a pooled buffer, for what a no-op build reads thousands of times or in megabytes (action
/// entries, build snapshots, the out/ record): one open, one read, no FileStream; dispose to return the buffer.
/// </summary>
public readonly struct RentedFile : IDisposable
{
    private readonly byte[]? _buffer;
    private readonly int _length;

    private RentedFile(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    public ReadOnlySpan<byte> Bytes => _buffer is null ? default : _buffer.AsSpan(0, _length);

    /// <summary>The file's bytes, or false when it does not exist (or is too large for one buffer).</summary>
    public static bool TryRead(string path, out RentedFile file)
    {
        file = default;
        // A pipe or device planted in the cache would block the open or never end (StoreFile): a miss, unopened.
        if (StoreFile.ReportsNoBytes(path)) return false;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var size = RandomAccess.GetLength(handle);
            if (size > int.MaxValue) return false;
            var buffer = ArrayPool<byte>.Shared.Rent((int)size);
            var read = 0;
            while (read < size)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(read, (int)size - read), read);
                if (n == 0) break;
                read += n;
            }
            file = new RentedFile(buffer, read);
            return true;
        }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
    }

    public void Dispose()
    {
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
    }
}
