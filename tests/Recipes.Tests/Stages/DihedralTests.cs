using Recipes.Stages.Augment;

namespace Recipes.Tests.Stages;

public sealed class DihedralTests
{
    private static float[] Asymmetric(int n) => Enumerable.Range(0, n * n).Select(v => (float)(v * v % 17 + v)).ToArray();

    [Fact]
    public void TheEightImagesOfAnAsymmetricFieldAreDistinctPermutations()
    {
        const int n = 5;
        var field = Asymmetric(n);
        var images = Enumerable.Range(0, DihedralGroup.Order).Select(k => DihedralGroup.Apply(k, field, n)).ToList();
        for (var a = 0; a < images.Count; a++)
        {
            Assert.Equal(field.Order(), images[a].Order());
            for (var b = a + 1; b < images.Count; b++) Assert.False(images[a].SequenceEqual(images[b]), $"elements {a} and {b} coincide");
        }
        Assert.Equal(field, images[0]);
    }

    [Fact]
    public void TheSetIsClosedUnderCompositionWithIdentityAndInverses()
    {
        var elements = Enumerable.Range(0, DihedralGroup.Order).ToList();
        foreach (var a in elements)
        {
            var row = elements.Select(b => DihedralGroup.Compose(a, b)).ToList();
            Assert.Equal(elements, row.Order());
            Assert.Contains(elements, b => DihedralGroup.Compose(a, b) == 0);
        }
        Assert.Equal(2, DihedralGroup.Compose(1, 1));
        Assert.Equal(0, DihedralGroup.Compose(4, 4));
    }

    [Fact]
    public void RotationMovesTheCornerAsExpected()
    {
        var field = new float[9];
        field[0] = 1; // row 0, column 0
        var rotated = DihedralGroup.Apply(1, field, 3);
        Assert.Equal(1, rotated[0 * 3 + 2]);
        var mirrored = DihedralGroup.Apply(4, field, 3);
        Assert.Equal(1, mirrored[0 * 3 + 2]);
    }

    [Theory]
    [InlineData(1, new[] { 0 })]
    [InlineData(4, new[] { 0, 1, 2, 3 })]
    [InlineData(8, new[] { 0, 1, 2, 3, 4, 5, 6, 7 })]
    public void SubsetsAreSubgroups(int count, int[] expected)
    {
        var subset = DihedralAugmenter.Elements(count);
        Assert.Equal(expected, subset);
        foreach (var a in subset)
            foreach (var b in subset)
                Assert.Contains(DihedralGroup.Compose(a, b), subset);
    }
}
