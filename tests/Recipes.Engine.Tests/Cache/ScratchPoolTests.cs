using Recipes.Cache;
using Recipes.Engine.Tests.Support;

namespace Recipes.Engine.Tests.Cache;

/// <summary>Scratch directories are reused between nodes, and a node never sees what the one before it left.</summary>
public sealed class ScratchPoolTests
{
    [Fact]
    public void AReturnedScratchIsHandedOutAgainEmpty()
    {
        using var temp = new TempDirectory();
        var pool = new ScratchPool(new CacheStore(temp.Root));
        var first = pool.Rent();
        File.WriteAllText(first.Log, "a long log");
        File.WriteAllText(Path.Combine(first.Work, "mesh.msh"), "left over");
        Directory.CreateDirectory(Path.Combine(first.Work, "processor0", "0"));
        File.WriteAllText(Path.Combine(first.Work, "processor0", "0", "U"), "left over");
        File.WriteAllText(Path.Combine(first.Out, "field.npz"), "a failed node's output");
        File.SetAttributes(Path.Combine(first.Out, "field.npz"), FileAttributes.ReadOnly);

        pool.Return(first);
        var second = pool.Rent();

        Assert.Equal(first.Root, second.Root);
        Assert.Empty(Directory.EnumerateFileSystemEntries(second.Work));
        Assert.Empty(Directory.EnumerateFileSystemEntries(second.Out));
    }

    [Fact]
    public void AScratchWithSomethingBesideItsFoldersIsRemovedNotReused()
    {
        using var temp = new TempDirectory();
        var pool = new ScratchPool(new CacheStore(temp.Root));
        var first = pool.Rent();
        File.WriteAllText(Path.Combine(first.Root, "stray.txt"), "written beside work/ and out/");

        pool.Return(first);
        var second = pool.Rent();

        Assert.NotEqual(first.Root, second.Root);
        Assert.False(Directory.Exists(first.Root));
        Assert.True(Directory.Exists(second.Work) && Directory.Exists(second.Out));
    }

    [Fact]
    public void AScratchWhoseFolderWasSwappedForALinkIsRemovedAndTheLinkTargetSpared()
    {
        using var temp = new TempDirectory();
        var elsewhere = Path.Combine(temp.Root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "precious.txt"), "not the cache's");
        var pool = new ScratchPool(new CacheStore(Path.Combine(temp.Root, "cache")));
        var first = pool.Rent();
        Directory.Delete(first.Work);
        Directory.CreateSymbolicLink(first.Work, elsewhere);

        pool.Return(first);
        var second = pool.Rent();

        Assert.NotEqual(first.Root, second.Root);
        Assert.True(File.Exists(Path.Combine(elsewhere, "precious.txt")));
    }

    [Fact]
    public void ClearingThePoolLeavesNoScratchBehind()
    {
        using var temp = new TempDirectory();
        var cache = new CacheStore(temp.Root);
        var pool = new ScratchPool(cache);
        var a = pool.Rent();
        var b = pool.Rent();
        pool.Return(a);
        pool.Return(b);

        pool.Clear();

        Assert.Empty(Directory.EnumerateFileSystemEntries(cache.TempRoot));
    }
}
