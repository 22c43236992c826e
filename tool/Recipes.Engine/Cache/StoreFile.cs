namespace Recipes.Cache;

/// <summary>
/// What the cache may open of its own files. Anyone who can write the cache directory can put a pipe, a socket, a
/// device or a link to one where an entry or a blob belongs; opening a FIFO blocks until a writer comes and
/// <c>/dev/zero</c> never ends, so such a path is never opened. The size the file system reports tells them apart
/// without opening: every special file reports 0 bytes, and no entry, snapshot or record the tool writes is empty.
/// An empty blob is legitimate, so blobs of 0 bytes are never read either: their content is known without reading.
/// </summary>
public static class StoreFile
{
    /// <summary>True when <paramref name="path"/> exists (links followed) and reports 0 bytes: empty, or not a regular file.</summary>
    public static bool ReportsNoBytes(string path)
    {
        var info = new FileInfo(path);
        try
        {
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target;
        }
        catch (IOException)
        {
            // A link that cannot be followed (a loop) is not opened either.
            return true;
        }
        return info.Exists && info.Length == 0;
    }
}
