using Recipes.Diagnostics;
using Recipes.Plugins;
using Recipes.Sampling;

namespace Recipes.Engine.Tests.Sampling;

public sealed class SamplerTests
{
    private static readonly SourceLocation At = new("test.yaml", 1, 1);

    private static ParameterSpace Space(SamplerKind kind, int? samples, params ParameterAxis[] axes) => new(kind, axes, samples);

    private static List<string> Draw(ParameterSpace space, long seed = 1) =>
        SampleGenerator.Generate(space, seed, ValueMap.Empty).Select(s => string.Join(",", s.Parameters.Entries.Select(e => $"{e.Key}={e.Value?.ToJsonString()}"))).ToList();

    [Theory]
    [InlineData(SamplerKind.Random)]
    [InlineData(SamplerKind.Sobol)]
    public void SampleIDependsOnlyOnI(SamplerKind kind)
    {
        ParameterAxis[] axes = [new UniformAxis("x", At, 0, 1, null, false), new IntAxis("n", At, 1, 5), new NormalAxis("z", At, 0, 1)];
        var small = Draw(Space(kind, 100, axes));
        var large = Draw(Space(kind, 150, axes));
        Assert.Equal(small, large.Take(100));
        Assert.Equal(150, large.Distinct().Count());
    }

    [Fact]
    public void LatinHypercubeRedrawsWhenTheCountChanges()
    {
        ParameterAxis[] axes = [new UniformAxis("x", At, 0, 1, null, false)];
        var small = Draw(Space(SamplerKind.LatinHypercube, 10, axes));
        var large = Draw(Space(SamplerKind.LatinHypercube, 20, axes));
        Assert.NotEqual(small, large.Take(10));
        Assert.False(Space(SamplerKind.LatinHypercube, 10, axes).IsPrefixStable);
    }

    [Fact]
    public void LatinHypercubePutsOnePointInEveryStratum()
    {
        const int n = 64;
        var samples = SampleGenerator.Generate(Space(SamplerKind.LatinHypercube, n, new UniformAxis("x", At, 0, 1, null, false), new UniformAxis("y", At, 0, 1, null, false)), 5, ValueMap.Empty);
        foreach (var axis in new[] { "x", "y" })
        {
            var strata = samples.Select(s => (int)(s.Parameters.GetDouble(axis) * n)).Order().ToList();
            Assert.Equal(Enumerable.Range(0, n), strata);
        }
    }

    [Fact]
    public void SobolPointsStratifyEveryDimension()
    {
        // For any valid Sobol sequence the first 2^k points put exactly one point in each interval [j/2^k, (j+1)/2^k)
        // of every coordinate, also after the digital shift.
        var sequence = new SobolSequence(SobolSequence.MaxDimensions, seed: 99);
        const int k = 8;
        for (var d = 0; d < SobolSequence.MaxDimensions; d++)
        {
            var bins = Enumerable.Range(0, 1 << k).Select(i => (int)(sequence.At(i, d) * (1 << k))).Order().ToList();
            Assert.Equal(Enumerable.Range(0, 1 << k), bins);
        }
    }

    [Fact]
    public void SobolPairsAreBetterSpreadThanRandom()
    {
        // Count empty cells of a 16x16 grid over the first 256 points of dimensions (0, 1): a (0,m,2)-net has none.
        var sequence = new SobolSequence(2, seed: 3);
        var cells = new HashSet<(int, int)>();
        for (var i = 0; i < 256; i++) cells.Add(((int)(sequence.At(i, 0) * 16), (int)(sequence.At(i, 1) * 16)));
        Assert.Equal(256, cells.Count);
    }

    [Fact]
    public void GridEnumeratesEveryCombinationWithTheLastAxisFastest()
    {
        var space = Space(SamplerKind.Grid, null, new ChoiceAxis("a", At, [1, 2]), new UniformAxis("b", At, 0, 1, 3, false), new ConstantAxis("c", At, "k"));
        var samples = Draw(space);
        Assert.Equal(6, samples.Count);
        Assert.Equal("a=1,b=0,c=\"k\"", samples[0]);
        Assert.Equal("a=1,b=0.5,c=\"k\"", samples[1]);
        Assert.Equal("a=2,b=1,c=\"k\"", samples[5]);
    }

    [Fact]
    public void LinkedParametersMoveTogether()
    {
        var linked = new LinkedAxis("geometry", At, [("w", [1, 2, 3]), ("h", [10, 20, 30])]);
        foreach (var kind in new[] { SamplerKind.Grid, SamplerKind.Random })
        {
            var samples = SampleGenerator.Generate(Space(kind, 20, linked), 1, ValueMap.Empty);
            Assert.All(samples, s => Assert.Equal(s.Parameters.GetLong("w") * 10, s.Parameters.GetLong("h")));
        }
    }

    [Fact]
    public void RandomValuesStayInRangeAndCoverIt()
    {
        var samples = SampleGenerator.Generate(Space(SamplerKind.Random, 2000, new IntAxis("n", At, 1, 5), new UniformAxis("u", At, 2, 4, null, true)), 7, ValueMap.Empty);
        var ints = samples.Select(s => s.Parameters.GetLong("n")).ToList();
        Assert.Equal([1L, 2, 3, 4, 5], ints.Distinct().Order());
        var logs = samples.Select(s => s.Parameters.GetDouble("u")).ToList();
        Assert.All(logs, v => Assert.InRange(v, 2, 4));
        // Log-uniform: the geometric midpoint splits the draws in half.
        Assert.InRange(logs.Count(v => v < Math.Sqrt(8)) / 2000.0, 0.45, 0.55);
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(0.975, 1.959963985)]
    [InlineData(0.001, -3.090232306)]
    [InlineData(0.8413447461, 1)]
    public void NormalQuantileMatchesTables(double p, double z) => Assert.Equal(z, NormalQuantile.Of(p), 6);

    [Fact]
    public void AddingAParameterLeavesTheOthersDrawsUnchanged()
    {
        var before = SampleGenerator.Generate(Space(SamplerKind.Random, 50, new UniformAxis("x", At, 0, 1, null, false)), 4, ValueMap.Empty);
        var after = SampleGenerator.Generate(Space(SamplerKind.Random, 50, new UniformAxis("x", At, 0, 1, null, false), new UniformAxis("y", At, 0, 1, null, false)), 4, ValueMap.Empty);
        Assert.Equal(before.Select(s => s.Parameters.GetDouble("x")), after.Select(s => s.Parameters.GetDouble("x")));
    }
}
