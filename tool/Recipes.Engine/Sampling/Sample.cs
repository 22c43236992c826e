using Recipes.Plugins;

namespace Recipes.Sampling;

/// <summary>
/// One point of the parameter space with every value a stage or template may read. <see cref="Origin"/> says which
/// adaptive round chose it and with what score (null for the other samplers and an adaptive sampler's initial design).
/// </summary>
public sealed record Sample(int Index, string Id, ValueMap Parameters)
{
    public SampleOrigin? Origin { get; init; }

    public static string IdFor(int index) => index.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}
