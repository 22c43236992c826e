namespace Recipes.Plotting.Imaging;

/// <summary>
/// Perceptually uniform colour maps by linear interpolation between control points sampled from matplotlib's
/// viridis and inferno (van der Walt and Smith, 2015).
/// </summary>
public static class ColorMap
{
    private static readonly (byte R, byte G, byte B)[] Viridis =
    [
        (68, 1, 84), (72, 35, 116), (64, 67, 135), (52, 94, 141), (41, 120, 142), (32, 144, 140),
        (34, 167, 132), (68, 190, 112), (121, 209, 81), (189, 222, 38), (253, 231, 37),
    ];

    private static readonly (byte R, byte G, byte B)[] Inferno =
    [
        (0, 0, 4), (22, 11, 57), (66, 10, 104), (106, 23, 110), (147, 38, 103), (188, 55, 84),
        (221, 81, 58), (243, 118, 27), (252, 165, 10), (246, 215, 70), (252, 255, 164),
    ];

    public static (byte R, byte G, byte B) Map(double value, double low, double high, bool inferno = false)
    {
        var table = inferno ? Inferno : Viridis;
        var t = high > low ? Math.Clamp((value - low) / (high - low), 0, 1) : 0;
        var position = t * (table.Length - 1);
        var i = Math.Min(table.Length - 2, (int)position);
        var f = position - i;
        var a = table[i];
        var b = table[i + 1];
        return ((byte)Math.Round(a.R + f * (b.R - a.R)), (byte)Math.Round(a.G + f * (b.G - a.G)), (byte)Math.Round(a.B + f * (b.B - a.B)));
    }
}
