namespace Recipes.Solvers.Sph;

/// <summary>
/// The smoothing kernel and cell lookup every SPH scheme shares (WCSPH's and DFSPH's ILGPU kernels and DFSPH's span
/// loops): one definition, so the schemes cannot drift apart in the last bits.
/// </summary>
public static class Wendland
{
    /// <summary>Wendland C2, support radius 2h: W = α (1 − q/2)⁴ (2q + 1), q = r/h.</summary>
    public static float W(float r, float h, float norm)
    {
        var q = r / h;
        if (q >= 2f) return 0f;
        var t = 1f - 0.5f * q;
        return norm * t * t * t * t * (2f * q + 1f);
    }

    /// <summary>dW/dr = α/h · (−5q)(1 − q/2)³.</summary>
    public static float DW(float r, float h, float norm)
    {
        var q = r / h;
        if (q >= 2f) return 0f;
        var t = 1f - 0.5f * q;
        return norm / h * -5f * q * t * t * t;
    }

    /// <summary>The cell of a coordinate in a grid offset by one cell, clamped to the grid.</summary>
    public static int CellOf(float x, float cell, int count)
    {
        var c = (int)(x / cell) + 1;
        return c < 0 ? 0 : c >= count ? count - 1 : c;
    }
}
