using System.Buffers;

namespace Recipes.Cache;

/// <summary>
/// A line-per-record file of the cache read in pooled chunks, whole lines at a time: a million-sample build snapshot
/// is half a gigabyte, which read whole would sit in memory beside the records parsed from it. A line longer than the
/// chunk grows the buffer; a file that is not a regular file (a planted pipe, StoreFile) reads as absent.
/// </summary>
internal static class ChunkedLineFile
{
    /// <summary>Called with runs of whole lines (each ending at '\n', the last line of the file possibly not).</summary>
    public delegate void LinesHandler(ReadOnlySpan<byte> lines);

    internal const int DefaultChunk = 1 << 22;

    /// <summary>
    /// The number of '\n' in the file and its length (a first pass, to size what the lines are parsed into), then every line handed
    /// to <paramref name="handle"/> in order; false when the file does not exist.
    /// </summary>
    public static bool TryRead(string path, Action<long, long> lineCount, LinesHandler handle, int chunk = DefaultChunk)
    {
        if (StoreFile.ReportsNoBytes(path)) return false;
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var buffer = ArrayPool<byte>.Shared.Rent(chunk);
            try
            {
                long offset = 0, lines = 0;
                int n;
                while ((n = RandomAccess.Read(file, buffer, offset)) > 0)
                {
                    lines += buffer.AsSpan(0, n).Count((byte)'\n');
                    offset += n;
                }
                lineCount(lines, offset);
                // The second pass stops at the first pass's length: what an append made since is not half-read.
                var end = offset;
                offset = 0;
                var carried = 0;
                while (true)
                {
                    n = offset >= end ? 0 : RandomAccess.Read(file, buffer.AsSpan(carried, (int)Math.Min(buffer.Length - carried, end - offset)), offset);
                    offset += n;
                    var filled = carried + n;
                    if (n == 0)
                    {
                        if (filled > 0) handle(buffer.AsSpan(0, filled));
                        return true;
                    }
                    var whole = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
                    if (whole == 0)
                    {
                        if (filled == buffer.Length)
                        {
                            // One line longer than the buffer: a larger one, keeping what was read.
                            var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                            buffer.AsSpan(0, filled).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }
                        carried = filled;
                        continue;
                    }
                    handle(buffer.AsSpan(0, whole));
                    buffer.AsSpan(whole, filled - whole).CopyTo(buffer);
                    carried = filled - whole;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
    }
}
