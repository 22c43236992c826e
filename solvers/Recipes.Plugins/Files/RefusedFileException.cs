namespace Recipes.Plugins.Files;

/// <summary>
/// A file the tool did not write itself and will not read: not a regular file, empty, over its size cap, or not of
/// the shape its reader expects. It is not an <see cref="IOException"/>, so that it is never taken for a full disk
/// (exit 1): the CLI turns it into exit 2 for a file the user named, a cache turns it
/// into a miss with one warning, and a dataset stage into a failed node naming the sample.
/// </summary>
public sealed class RefusedFileException : Exception
{
    public RefusedFileException(string path, string reason) : base($"{path}: {reason}")
    {
        FilePath = path;
        Reason = reason;
    }

    public RefusedFileException() : this("(file)", "refused") { }

    public RefusedFileException(string message) : this("(file)", message) { }

    public RefusedFileException(string message, Exception inner) : base(message, inner)
    {
        FilePath = "(file)";
        Reason = message;
    }

    /// <summary>The file as it was named to the reader (shown to the user; a blob's path is replaced by its output name by the caller).</summary>
    public string FilePath { get; }

    /// <summary>Why, without the path: "is a pipe or a device", "is 5 MiB; at most 1 MiB".</summary>
    public string Reason { get; }
}
