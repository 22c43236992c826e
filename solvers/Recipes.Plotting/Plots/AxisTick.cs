namespace Recipes.Plotting.Plots;

/// <summary>A tick at <paramref name="Position"/> in axis coordinates (log10 of the value on a log axis); minor ticks have no label.</summary>
public readonly record struct AxisTick(double Position, string? Label)
{
    public bool IsMajor => Label is not null;
}
