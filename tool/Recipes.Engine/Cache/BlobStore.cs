using Recipes.Plugins.Files;
using Recipes.Hashing;

namespace Recipes.Cache;

/// <summary>
/// Content-addressed files under <c>cas/ab/&lt;hash&gt;</c>. Blobs are moved in by rename after hashing and made
/// read-only, so a blob's name always states its content unless something outside the tool changed it.
/// </summary>
public sealed class BlobStore
{
    private readonly string _root;
    private readonly ShardedNames _hashes;

    public BlobStore(string root)
    {
        _root = root;
        _hashes = new ShardedNames(root);
    }

    public string Root => _root;

    public string PathOf(string hash) => Path.Combine(_root, OutputPaths.CheckedHash(hash)[..2], hash);

    /// <summary>Lists every blob once, so that a build checking tens of thousands of outputs does one directory read per shard instead of one stat per file.</summary>
    public void LoadIndex() => _hashes.Load();

    public bool Contains(string hash) => _hashes.Contains(hash) == true || File.Exists(PathOf(hash));

    /// <summary>Moves a finished file into the store and returns its hash; the source is consumed.</summary>
    public OutputFile Put(string name, string sourcePath)
    {
        var hash = ContentHash.OfFile(sourcePath);
        var size = new FileInfo(sourcePath).Length;
        var target = PathOf(hash);
        if (File.Exists(target))
        {
            File.Delete(sourcePath);
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(sourcePath, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            try
            {
                File.Move(sourcePath, target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
                // Another build stored the same content first; identical bytes, nothing to do.
                File.Delete(sourcePath);
            }
        }
        _hashes.Add(hash);
        return new OutputFile(name, hash, size);
    }

    public string PutBytes(ReadOnlySpan<byte> bytes)
    {
        var hash = ContentHash.Of(bytes);
        var target = PathOf(hash);
        if (!File.Exists(target))
        {
            AtomicFile.WriteAllBytes(target, bytes);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        _hashes.Add(hash);
        return hash;
    }

    /// <summary>Copies a source file into the store without consuming it.</summary>
    public string PutCopy(string sourcePath)
    {
        var hash = ContentHash.OfFile(sourcePath);
        var target = PathOf(hash);
        if (!File.Exists(target))
        {
            AtomicFile.Copy(sourcePath, target);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        _hashes.Add(hash);
        return hash;
    }

    /// <summary>Blobs quarantined by this process because their bytes did not match their name.</summary>
    public int Quarantined => Volatile.Read(ref _quarantined);

    private int _quarantined;

    /// <summary>Told once per quarantined blob; the build prints it as a warning.</summary>
    public Action<string>? Warn { get; set; }

    /// <summary>
    /// Copies a blob to <paramref name="target"/>, verifying its hash while copying. A blob whose bytes do not match its
    /// name (flipped or truncated behind the cache's back) is moved to <c>quarantine/</c> beside the store, so the next
    /// lookup misses and its node is rebuilt; the result is then false and nothing is written.
    /// </summary>
    public bool TryCopyVerified(string hash, string target, string? usedBy = null)
    {
        if (File.Exists(PathOf(hash)) && VerifiedCopy.Copy(PathOf(hash), target, hash)) return true;
        Quarantine(hash, usedBy);
        return false;
    }

    /// <summary>Checks a blob in place (for inputs fed to a node); quarantines it and returns false when it is corrupt or gone.</summary>
    public bool VerifyOrQuarantine(string hash, string? usedBy = null)
    {
        if (Verify(hash)) return true;
        Quarantine(hash, usedBy);
        return false;
    }

    private void Quarantine(string hash, string? usedBy)
    {
        var path = PathOf(hash);
        if (File.Exists(path))
        {
            var quarantine = Path.Combine(Path.GetDirectoryName(_root)!, "quarantine");
            Directory.CreateDirectory(quarantine);
            try
            {
                File.Move(path, Path.Combine(quarantine, $"{hash}.{Guid.NewGuid():N}"));
            }
            catch (IOException)
            {
                AtomicFile.TryDelete(path);
            }
        }
        _hashes.Remove(hash);
        Interlocked.Increment(ref _quarantined);
        Warn?.Invoke($"blob {hash[..12]}{(usedBy is null ? "" : $" ({usedBy})")} in the local cache does not match its hash; quarantined, its node is rebuilt");
    }

    public bool Verify(string hash) =>
        File.Exists(PathOf(hash)) && (StoreFile.ReportsNoBytes(PathOf(hash)) ? ContentHash.Of(ReadOnlySpan<byte>.Empty) : ContentHash.OfFile(PathOf(hash))) == hash;

    public IEnumerable<string> EnumerateHashes() => _hashes.EnumerateAll();

    public void Delete(string hash)
    {
        var path = PathOf(hash);
        if (File.Exists(path)) File.Delete(path);
        _hashes.Remove(hash);
    }
}
