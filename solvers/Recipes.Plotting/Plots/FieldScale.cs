namespace Recipes.Plotting.Plots;

/// <summary>
/// A value range and colour map shared by some panels of a <see cref="FieldGrid"/>; each scale gets one colour bar
/// labelled with <see cref="Label"/> (quantity and units, e.g. "temperature (K)").
/// </summary>
public sealed record FieldScale(string Label, double Low, double High, FieldColors Colors = FieldColors.Inferno)
{
    /// <summary>The range of the given values (a unit range around a constant field), for a scale fitted to data.</summary>
    public static FieldScale Fit(string label, IEnumerable<float> values, FieldColors colors = FieldColors.Inferno)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (var v in values)
            if (float.IsFinite(v)) (low, high) = (Math.Min(low, v), Math.Max(high, v));
        if (!double.IsFinite(low)) (low, high) = (0, 1);
        if (high <= low) (low, high) = (low - 0.5, low + 0.5);
        return new FieldScale(label, low, high, colors);
    }
}
