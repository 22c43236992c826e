namespace Recipes.Plotting.Plots;

/// <summary>Colour maps for fields: perceptually uniform (inferno, viridis) or plain grey for images.</summary>
public enum FieldColors
{
    Inferno,
    Viridis,
    Gray,
}
