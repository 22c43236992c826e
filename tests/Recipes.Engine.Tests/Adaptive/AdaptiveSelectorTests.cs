using Recipes.Adaptive;

namespace Recipes.Engine.Tests.Adaptive;

/// <summary>The surrogate ensemble and the batch selection on functions whose answer is known.</summary>
public sealed class AdaptiveSelectorTests
{
    private static readonly AdaptiveSettings Settings = new() { Target = "y", Batch = 4 };

    private static double[][] Grid(int perSide) =>
        [.. from i in Enumerable.Range(0, perSide) from j in Enumerable.Range(0, perSide) select new[] { (i + 0.5) / perSide, (j + 0.5) / perSide }];

    [Fact]
    public void TheEnsembleFitsASmoothFunctionAndIsBitwiseReproducible()
    {
        var points = Grid(8);
        var targets = points.Select(p => Math.Sin(3 * p[0]) + p[1] * p[1]).ToArray();
        var a = EnsembleSurrogate.Fit(points, targets, 6, 96, 0.3, seed: 5);
        var b = EnsembleSurrogate.Fit(points, targets, 6, 96, 0.3, seed: 5);
        var probe = new[] { 0.37, 0.61 };
        Assert.Equal(a.Predict(probe), b.Predict(probe));
        Assert.InRange(a.Predict(probe).Mean - (Math.Sin(3 * 0.37) + 0.61 * 0.61), -0.02, 0.02);
        var other = EnsembleSurrogate.Fit(points, targets, 6, 96, 0.3, seed: 6);
        Assert.NotEqual(a.Predict(probe).Variance, other.Predict(probe).Variance);
    }

    [Fact]
    public void MembersDisagreeMostWhereTheFunctionJumps()
    {
        // A step along x = 0.5: flat on both sides, so only the cliff is uncertain.
        var points = Grid(10);
        var targets = points.Select(p => p[0] < 0.5 ? 0.0 : 1.0).ToArray();
        var surrogate = EnsembleSurrogate.Fit(points, targets, 8, 128, 0.15, seed: 1);
        var atCliff = surrogate.Predict([0.5, 0.5]).Variance;
        var farLeft = surrogate.Predict([0.15, 0.5]).Variance;
        var farRight = surrogate.Predict([0.85, 0.5]).Variance;
        Assert.True(atCliff > 4 * Math.Max(farLeft, farRight), $"variance at the cliff {atCliff:E2}, away {farLeft:E2} / {farRight:E2}");
    }

    [Fact]
    public void EnsembleVariancePicksCandidatesAtTheCliffAndSpreadsTheBatch()
    {
        var points = Grid(6);
        var targets = points.Select(p => p[0] < 0.5 ? 0.0 : 1.0).ToArray();
        var candidates = Enumerable.Range(0, 400).Select(k => new AdaptiveSelector.Candidate(k, [0.1 + 0.8 * (k % 20 + 0.5) / 20, 0.1 + 0.8 * (k / 20 + 0.5) / 20])).ToList();
        var outcome = AdaptiveSelector.Select(Settings, points, targets, candidates, seed: 3);
        Assert.Equal(4, outcome.Picks.Count);
        var xs = string.Join(", ", outcome.Picks.Select(p => $"({candidates[p.Index].Point[0]:0.00}, {candidates[p.Index].Point[1]:0.00})"));
        foreach (var pick in outcome.Picks) Assert.True(candidates[pick.Index].Point[0] is > 0.25 and < 0.75, xs);
        // Spread along the cliff, not stacked on one spot.
        var ys = outcome.Picks.Select(p => candidates[p.Index].Point[1]).Order().ToList();
        Assert.True(ys[^1] - ys[0] > 0.3, xs);
        Assert.Equal(1.0, outcome.Picks[0].Score);
        Assert.Equal(outcome.Picks, AdaptiveSelector.Select(Settings, points, targets, candidates, seed: 3).Picks);
    }

    [Fact]
    public void SpaceFillingPicksTheFarthestPointAndTiesGoToTheLowestPoolIndex()
    {
        double[][] points = [[0.0, 0.0]];
        // Two candidates equally far from the only sample, then a nearer one.
        var candidates = new List<AdaptiveSelector.Candidate> { new(7, [1.0, 0.0]), new(3, [0.0, 1.0]), new(5, [0.5, 0.5]) };
        var settings = Settings with { Acquisition = AcquisitionKind.SpaceFilling, Batch = 2 };
        var picks = AdaptiveSelector.Select(settings, points, [1.0], candidates, seed: 1).Picks;
        Assert.Equal(3, picks[0].Index);
        // After the first pick, (1, 0) is still at distance 1 from everything chosen, farther than (0.5, 0.5).
        Assert.Equal(7, picks[1].Index);
    }
}
