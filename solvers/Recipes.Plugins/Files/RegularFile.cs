using System.Globalization;

namespace Recipes.Plugins.Files;

/// <summary>
/// The one way the tool opens a file it did not just write itself (a run record, a project file, a bench file, an
/// include, a dataset input): only a regular file, after every link is followed, of at most a given size, read to
/// the end and no further. A pipe or a device reports no size, so it is refused without being opened (opening a FIFO
/// blocks until a writer comes, and /dev/zero never ends); a file that grows past its cap while being read is refused
/// too. .NET cannot tell an empty regular file from a pipe without opening it, so both are refused with one message.
/// </summary>
public static class RegularFile
{
    /// <summary>Why <paramref name="path"/> is not a regular file of 1 to <paramref name="maxBytes"/> bytes, or null when it is.</summary>
    public static string? Problem(string path, long maxBytes)
    {
        FileSystemInfo info = new FileInfo(path);
        try
        {
            if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        }
        catch (IOException e)
        {
            return $"cannot be followed ({e.Message})";
        }
        if (info is FileInfo file && !file.Exists)
            return Directory.Exists(file.FullName) ? "is a directory, not a file" : "does not exist";
        if (info is not FileInfo regular) return "is a directory, not a file";
        if (regular.Length == 0) return "is empty or not a regular file (a pipe, a socket or a device)";
        if (regular.Length > maxBytes) return $"is {Size(regular.Length)}; at most {Size(maxBytes)} is read";
        return null;
    }

    /// <summary>The whole file; throws <see cref="RefusedFileException"/> when <see cref="Problem"/> finds one.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        if (Problem(path, maxBytes) is { } problem) throw new RefusedFileException(path, problem);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var length = stream.Length;
        if (length > maxBytes) throw new RefusedFileException(path, $"is {Size(length)}; at most {Size(maxBytes)} is read");
        var buffer = new byte[length];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) throw new RefusedFileException(path, "shrank while it was read");
            read += n;
        }
        // Growing while read: whatever is appended is not this file's content as measured.
        if (stream.ReadByte() >= 0) throw new RefusedFileException(path, "grew while it was read");
        return buffer;
    }

    /// <summary>The whole file as UTF-8 text (a byte-order mark is dropped).</summary>
    public static string ReadAllText(string path, long maxBytes)
    {
        var bytes = ReadAllBytes(path, maxBytes);
        var span = bytes.AsSpan();
        if (span.StartsWith("\uFEFF"u8)) span = span[3..];
        return System.Text.Encoding.UTF8.GetString(span);
    }

    /// <summary>A stream over the file, after the same checks (for readers that parse as they go: .npy, images).</summary>
    public static FileStream OpenRead(string path, long maxBytes)
    {
        if (Problem(path, maxBytes) is { } problem) throw new RefusedFileException(path, problem);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
    }

    /// <summary>A size as people read it: bytes, KiB or MiB.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
    };
}
