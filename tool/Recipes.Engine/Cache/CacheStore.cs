namespace Recipes.Cache;

/// <summary>The local cache: blobs, action entries, per-recipe build state and scratch space, under one directory.</summary>
public sealed class CacheStore
{
    public CacheStore(string root)
    {
        Root = Path.GetFullPath(root);
        Blobs = new BlobStore(Path.Combine(Root, "cas"));
        Actions = new ActionCache(Path.Combine(Root, "ac"));
        States = new BuildStateStore(Path.Combine(Root, "state"));
        TempRoot = Path.Combine(Root, "tmp");
        Checkpoints = new CheckpointStore(Path.Combine(Root, "checkpoints"));
    }

    public string Root { get; }
    public BlobStore Blobs { get; }
    public ActionCache Actions { get; }
    public BuildStateStore States { get; }
    public string TempRoot { get; }

    /// <summary>Resumable trainers' checkpoints, by family (see <see cref="CheckpointStore"/>).</summary>
    public CheckpointStore Checkpoints { get; }

    /// <summary>A fresh scratch directory inside the cache, so finished outputs reach the store by rename.</summary>
    public string NewTempDirectory()
    {
        var path = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteDirectory(string path)
    {
        if (!Directory.Exists(path)) return;
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (UnauthorizedAccessException)
        {
            // Outputs made read-only by a simulator: make them writable and retry.
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
                File.SetAttributes(file, FileAttributes.Normal);
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Left for `cache gc` to sweep; never fatal for a build.
        }
    }
}
