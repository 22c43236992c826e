using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Sampling;

/// <summary>
/// Draws samples from a parameter space. Grid enumerates every combination (the last axis fastest); random and Sobol
/// are prefix-stable; Latin hypercube stratifies each axis over exactly <c>samples</c> points and so re-draws when
/// the count changes. Samples of the random samplers are distinct draws even where their parameters coincide: each
/// gets its own <see cref="SampleSeedName"/>, which enters its nodes' keys and seeds.
/// </summary>
public static class SampleGenerator
{
    public const string SampleSeedName = "sample_seed";

    public static IReadOnlyList<Sample> Generate(ParameterSpace space, long seed, ValueMap constants, Func<ValueMap, ValueMap>? derive = null)
    {
        var count = space.Count;
        var samples = new Sample[count];
        var sobol = UsesSobol(space) ? new SobolSequence(space.Axes.Count(a => !a.IsConstant), seed) : null;
        var lhs = space.Sampler == SamplerKind.LatinHypercube ? LatinStrata(space, seed, count) : null;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = count < 2000 ? 1 : Environment.ProcessorCount }, i =>
            samples[i] = Draw(space, seed, constants, derive, i, sobol, lhs));
        return samples;
    }

    /// <summary>
    /// Sample <paramref name="index"/> of a prefix-stable sampler on its own: the adaptive sampler's pool points are
    /// Sobol points past the initial design, drawn one by one as rounds choose them.
    /// </summary>
    public static Sample At(ParameterSpace space, long seed, ValueMap constants, Func<ValueMap, ValueMap>? derive, int index, SobolSequence? sobol = null)
    {
        if (!space.IsPrefixStable) throw new InvalidOperationException("a sample can be drawn alone only from a prefix-stable sampler");
        sobol ??= UsesSobol(space) ? new SobolSequence(space.Axes.Count(a => !a.IsConstant), seed) : null;
        return Draw(space, seed, constants, derive, index, sobol, null);
    }

    /// <summary>The unit-cube coordinates of Sobol point <paramref name="index"/>, one per varying axis: what a surrogate sees.</summary>
    public static double[] UnitPoint(SobolSequence sobol, int dimensions, int index)
    {
        var point = new double[dimensions];
        for (var d = 0; d < dimensions; d++) point[d] = sobol.At(index, d);
        return point;
    }

    private static bool UsesSobol(ParameterSpace space) => space.Sampler is SamplerKind.Sobol or SamplerKind.Adaptive;

    private static Sample Draw(ParameterSpace space, long seed, ValueMap constants, Func<ValueMap, ValueMap>? derive, int i, SobolSequence? sobol, double[][]? lhs)
    {
        var values = new List<KeyValuePair<string, JsonNode?>>(constants.Entries.Select(e => new KeyValuePair<string, JsonNode?>(e.Key, e.Value?.DeepClone())));
        var remainder = (long)i;
        var gridIndex = new int[space.Axes.Count];
        if (space.Sampler == SamplerKind.Grid)
        {
            for (var a = space.Axes.Count - 1; a >= 0; a--)
            {
                var gridCount = space.Axes[a].GridCount ?? 1;
                gridIndex[a] = (int)(remainder % gridCount);
                remainder /= gridCount;
            }
        }
        var dimension = 0;
        for (var a = 0; a < space.Axes.Count; a++)
        {
            var axis = space.Axes[a];
            IEnumerable<KeyValuePair<string, JsonNode?>> drawn;
            if (axis.IsConstant) drawn = axis.AtUnit(0);
            else
            {
                drawn = space.Sampler switch
                {
                    SamplerKind.Grid => axis.AtGridIndex(gridIndex[a]),
                    SamplerKind.Random => axis.AtUnit(UnitRandom.Unit(seed, i, axis.Name)),
                    SamplerKind.Sobol or SamplerKind.Adaptive => axis.AtUnit(sobol!.At(i, dimension)),
                    _ => axis.AtUnit(lhs![a][i]),
                };
                dimension++;
            }
            values.AddRange(drawn);
        }
        if (space.Sampler != SamplerKind.Grid)
            values.Add(new(SampleSeedName, JsonValue.Create((long)(UnitRandom.Bits(seed, i, SampleSeedName) >> 1))));
        var parameters = new ValueMap(values);
        if (derive is not null) parameters = derive(parameters);
        return new Sample(i, Sample.IdFor(i), parameters);
    }

    private static double[][] LatinStrata(ParameterSpace space, long seed, int count)
    {
        var result = new double[space.Axes.Count][];
        for (var a = 0; a < space.Axes.Count; a++)
        {
            var axis = space.Axes[a];
            var permutation = Enumerable.Range(0, count).ToArray();
            for (var i = count - 1; i > 0; i--)
            {
                var j = (int)(UnitRandom.Unit(seed, i, axis.Name, stream: 1) * (i + 1));
                (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
            }
            result[a] = new double[count];
            for (var i = 0; i < count; i++)
                result[a][i] = (permutation[i] + UnitRandom.Unit(seed, i, axis.Name, stream: 2)) / count;
        }
        return result;
    }
}
