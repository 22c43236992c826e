using Recipes.Tests.Support;

namespace Recipes.Tests.Engine;

/// <summary>Acceptance 6: the same recipe built in two fresh directories gives byte-identical out/ trees.</summary>
public sealed class DeterminismTests
{
    [Fact]
    public void TwoFreshBuildsGiveIdenticalOutTrees()
    {
        using var a = new Workspace();
        using var b = new Workspace();
        foreach (var ws in new[] { a, b })
        {
            SampleRecipes.Sweep(ws, space: "a: { uniform: [0, 1] }\n    b: { choice: [x, y, z] }", sampler: "sobol", samples: 12);
            BuildAssert.NoFailures(ws.Build());
        }
        var treeA = Tree(a.OutDir);
        var treeB = Tree(b.OutDir);
        Assert.NotEmpty(treeA);
        Assert.Equal(treeA.Keys, treeB.Keys);
        foreach (var (path, bytes) in treeA) Assert.True(bytes.SequenceEqual(treeB[path]), $"{path} differs");
        Assert.Contains("sweep/manifest.json", treeA.Keys);
    }

    private static SortedDictionary<string, byte[]> Tree(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes), StringComparer.Ordinal);
}
