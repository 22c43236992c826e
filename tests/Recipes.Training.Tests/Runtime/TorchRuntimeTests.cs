using Recipes.Training;

namespace Recipes.Training.Tests.Runtime;

/// <summary>The one known TorchSharp fix: mark libLibTorchSharp's GLIBCXX_3.4.32 requirement weak, exactly and idempotently.</summary>
public sealed class TorchRuntimeTests
{
    private static byte[] ShippedLibrary()
    {
        var path = TorchRuntime.Candidates().First(File.Exists);
        var bytes = File.ReadAllBytes(path);
        // The copy in the output may already be fixed by an earlier run; undo that to start from what TorchSharp ships.
        foreach (var r in ElfVersionNeeds.Read(bytes).Where(r => r.Version == TorchRuntime.MissingVersion))
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((int)r.FlagsOffset), (ushort)(r.Flags & ~ElfVersionNeeds.WeakFlag));
        return bytes;
    }

    [Fact]
    public void TheLibraryNeedsGlibcxx3432FromLibStdCxx()
    {
        var needs = ElfVersionNeeds.Read(ShippedLibrary());
        var requirement = Assert.Single(needs, n => n.Version == TorchRuntime.MissingVersion);
        Assert.Equal("libstdc++.so.6", requirement.File);
        Assert.Equal(0, requirement.Flags & ElfVersionNeeds.WeakFlag);
        Assert.Contains(needs, n => n.Version.StartsWith("GLIBC_", StringComparison.Ordinal));
    }

    [Fact]
    public void MakingItWeakChangesOnlyThatFlagAndIsIdempotent()
    {
        var original = ShippedLibrary();
        var patched = (byte[])original.Clone();
        Assert.True(ElfVersionNeeds.MakeWeak(patched, TorchRuntime.MissingVersion));
        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Single(differing);
        var after = ElfVersionNeeds.Read(patched);
        Assert.All(after.Where(n => n.Version == TorchRuntime.MissingVersion), n => Assert.Equal(ElfVersionNeeds.WeakFlag, n.Flags & ElfVersionNeeds.WeakFlag));
        Assert.Equal(ElfVersionNeeds.Read(original).Where(n => n.Version != TorchRuntime.MissingVersion), after.Where(n => n.Version != TorchRuntime.MissingVersion));
        Assert.False(ElfVersionNeeds.MakeWeak(patched, TorchRuntime.MissingVersion));
    }

    [Fact]
    public void TorchSharpLoadsAndComputes()
    {
        TorchRuntime.EnsureLoadable();
        using var a = TorchSharp.torch.ones(3, 4);
        using var b = TorchSharp.torch.matmul(a, a.T);
        Assert.Equal(4f, b[0, 0].item<float>());
    }

    [Fact]
    public void ThisSystemsLibStdCxxIsDetected()
    {
        // Debian 12 ships GCC 12's libstdc++ (GLIBCXX_3.4.30); the check must see what the process really loaded.
        Assert.True(TorchRuntime.ProcessLibStdCxxHas("GLIBCXX_3.4.29"));
        Assert.False(TorchRuntime.ProcessLibStdCxxHas("GLIBCXX_9.9.99"));
    }
}
