using Recipes.Hashing;
using Recipes.Plugins.Files;

namespace Recipes.Cache;

/// <summary>Copies that land only when the bytes hash to what the cache says they are.</summary>
public static class VerifiedCopy
{
    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="path"/> through a temporary file, hashing while copying; when
    /// the bytes do not hash to <paramref name="expectedHash"/> nothing is put in place and the result is false.
    /// </summary>
    public static bool Copy(string source, string path, string expectedHash)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, AtomicFile.TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            string actual;
            // A source reporting no bytes is never opened (it may be a pipe or a device, StoreFile): an empty file is
            // what its content would be, and the hash decides as for any other copy.
            if (StoreFile.ReportsNoBytes(source))
            {
                File.WriteAllBytes(temp, []);
                actual = ContentHash.Of(ReadOnlySpan<byte>.Empty);
            }
            else
            {
                // Unbuffered streams: CopyAndHash moves whole pooled chunks, so FileStream buffers would only add copies
                // and two 64 KiB allocations per file.
                using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
                using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
                actual = ContentHash.CopyAndHash(input, output);
            }
            if (actual != expectedHash)
            {
                AtomicFile.TryDelete(temp);
                return false;
            }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(temp, path, overwrite: true);
            return true;
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }
}
