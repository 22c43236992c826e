namespace Recipes.Plotting.Plots;

/// <summary>One cell of a <see cref="FieldGrid"/>: a field image (<see cref="FieldPanel"/>) or particles (<see cref="ParticlePanel"/>).</summary>
public abstract record GridPanel
{
    /// <summary>Width over height of the panel as drawn.</summary>
    public abstract double Aspect { get; }
}
