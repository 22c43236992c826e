namespace Recipes.Sampling;

/// <summary>The sampled parameters of a recipe and how many samples to draw.</summary>
public sealed class ParameterSpace
{
    public ParameterSpace(SamplerKind sampler, IReadOnlyList<ParameterAxis> axes, int? requestedSamples)
    {
        Sampler = sampler;
        Axes = axes;
        RequestedSamples = requestedSamples;
    }

    public SamplerKind Sampler { get; }
    public IReadOnlyList<ParameterAxis> Axes { get; }
    public int? RequestedSamples { get; }

    /// <summary>
    /// Every combination for grid (capped by <c>samples</c> when given); otherwise <c>samples</c> (default 1). For the
    /// adaptive sampler, the initial design (the loader passes <c>adaptive.initial</c> as the requested count).
    /// </summary>
    public int Count
    {
        get
        {
            if (Sampler != SamplerKind.Grid) return RequestedSamples ?? 1;
            var product = GridProduct;
            return (int)Math.Min(product, RequestedSamples ?? long.MaxValue);
        }
    }

    public long GridProduct => Axes.Aggregate(1L, (p, a) => checked(p * (a.GridCount ?? 1)));

    /// <summary>Whether sample i depends only on i (true for all but Latin hypercube).</summary>
    /// <remarks>The adaptive sampler's points are Sobol points, so they are prefix-stable too.</remarks>
    public bool IsPrefixStable => Sampler != SamplerKind.LatinHypercube;

    public static string Name(SamplerKind kind) => kind switch
    {
        SamplerKind.Grid => "grid",
        SamplerKind.Random => "random",
        SamplerKind.Sobol => "sobol",
        SamplerKind.Adaptive => "adaptive",
        _ => "latin-hypercube",
    };
}
