using Recipes.Cache;
using Recipes.Remote;

namespace Recipes.Execution;

/// <summary>
/// The one answer to "is this key done?": an action entry whose every output blob is present here, else the remote
/// cache's. The probe, the run of a node and the Slurm controller all ask it.
/// </summary>
public sealed class CacheLookup(CacheStore cache, RemoteCacheClient? remote = null)
{
    public CacheStore Cache => cache;

    public CachedResult? Find(string key) => FindLocal(key) ?? remote?.TryFetch(key);

    public CachedResult? FindLocal(string key) => WithBlobs(cache.Actions.TryGetOutputs(key));

    /// <summary>A recorded result is usable only while every blob it names is in the store.</summary>
    public CachedResult? WithBlobs(CachedResult? hit) => hit is not null && HasBlobs(hit.Outputs) ? hit : null;

    public bool HasBlobs(IReadOnlyList<OutputFile> outputs)
    {
        foreach (var output in outputs)
            if (!cache.Blobs.Contains(output.Hash)) return false;
        return true;
    }
}
