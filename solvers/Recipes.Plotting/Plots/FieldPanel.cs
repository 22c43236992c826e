namespace Recipes.Plotting.Plots;

/// <summary>A scalar field of <paramref name="Width"/> × <paramref name="Height"/> values, row 0 drawn at the top, coloured by <paramref name="Scale"/>.</summary>
public sealed record FieldPanel(float[] Values, int Width, int Height, FieldScale Scale) : GridPanel
{
    public override double Aspect => (double)Width / Height;

    public static FieldPanel Square(ReadOnlySpan<float> values, int size, FieldScale scale) => new(values.ToArray(), size, size, scale);
}
