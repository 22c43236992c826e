namespace Recipes.Stages.Augment;

/// <summary>
/// The eight symmetries of the square (D4) acting on an N×N row-major field: element k is a rotation by k·90° for
/// k &lt; 4, and a mirror (left–right) followed by that rotation for k ≥ 4. Exact index permutations, no interpolation.
/// </summary>
public static class DihedralGroup
{
    public const int Order = 8;

    /// <summary>Where entry (i, j) of the source lands under element k.</summary>
    public static (int Row, int Column) Map(int k, int i, int j, int n)
    {
        if (k >= 4) j = n - 1 - j;
        for (var r = 0; r < k % 4; r++) (i, j) = (j, n - 1 - i);
        return (i, j);
    }

    public static float[] Apply(int k, ReadOnlySpan<float> field, int n)
    {
        var result = new float[n * n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                var (r, c) = Map(k, i, j, n);
                result[r * n + c] = field[i * n + j];
            }
        return result;
    }

    /// <summary>The element equal to applying <paramref name="a"/> then <paramref name="b"/>, found by its action on an asymmetric probe.</summary>
    public static int Compose(int a, int b)
    {
        const int n = 3;
        var probe = Enumerable.Range(0, n * n).Select(v => (float)v).ToArray();
        var composed = Apply(b, Apply(a, probe, n), n);
        for (var k = 0; k < Order; k++)
            if (Apply(k, probe, n).AsSpan().SequenceEqual(composed)) return k;
        throw new InvalidOperationException("the group is not closed");
    }
}
