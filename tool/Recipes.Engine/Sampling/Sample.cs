using Recipes.Plugins;

namespace Recipes.Sampling;

/// <summary>One point of the parameter space with every value a stage or template may read.</summary>
public sealed record Sample(int Index, string Id, ValueMap Parameters)
{
    public static string IdFor(int index) => index.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}
