namespace Recipes.Adaptive;

/// <summary>
/// One round's choice: fit the surrogate ensemble to every result so far, score each candidate of the pool, and pick a
/// batch greedily. A batch of the top scores alone would crowd into one uncertain spot, so after each pick the
/// candidates near it are discounted (local penalization: the score is multiplied by 1 − exp(−(r/r₀)²), r₀ the
/// spacing the sweep will have) and distances count the picks as simulated. Ties go to the lower pool index.
/// </summary>
public static class AdaptiveSelector
{
    public sealed record Candidate(int Index, double[] Point);

    public sealed record Pick(int Index, double Score);

    public sealed record Outcome(IReadOnlyList<Pick> Picks, double MeanVariance, double MaxVariance);

    public static Outcome Select(AdaptiveSettings settings, IReadOnlyList<double[]> points, IReadOnlyList<double> targets,
        IReadOnlyList<Candidate> candidates, ulong seed)
    {
        var count = candidates.Count;
        var dimensions = points[0].Length;
        var variance = new double[count];
        if (settings.Acquisition != AcquisitionKind.SpaceFilling)
        {
            var surrogate = EnsembleSurrogate.Fit(points, targets, settings.Members, settings.Features, settings.LengthScale, seed);
            for (var c = 0; c < count; c++) variance[c] = surrogate.Predict(candidates[c].Point).Variance;
        }
        var distance = new double[count];
        for (var c = 0; c < count; c++)
        {
            var nearest = double.PositiveInfinity;
            foreach (var p in points) nearest = Math.Min(nearest, Distance(candidates[c].Point, p));
            distance[c] = nearest;
        }
        var maxVariance = variance.DefaultIfEmpty(0).Max();
        var meanVariance = count == 0 ? 0 : variance.Average();
        var spacing = Math.Pow(1.0 / (points.Count + settings.Batch), 1.0 / dimensions);
        var penalty = Enumerable.Repeat(1.0, count).ToArray();
        var taken = new bool[count];
        var picks = new List<Pick>();
        for (var k = 0; k < Math.Min(settings.Batch, count); k++)
        {
            var maxDistance = distance.Where((_, c) => !taken[c]).DefaultIfEmpty(0).Max();
            var best = -1;
            var bestScore = double.NegativeInfinity;
            for (var c = 0; c < count; c++)
            {
                if (taken[c]) continue;
                var spread = maxVariance > 0 ? variance[c] / maxVariance : 0;
                var room = maxDistance > 0 ? distance[c] / maxDistance : 0;
                var score = settings.Acquisition switch
                {
                    AcquisitionKind.SpaceFilling => room,
                    AcquisitionKind.EnsembleVariance => spread * penalty[c],
                    _ => spread * penalty[c] + settings.DistanceWeight * room,
                };
                // Strictly greater: among equal scores the lowest pool index (candidates come in pool order) wins.
                if (score > bestScore || (score == bestScore && best >= 0 && candidates[c].Index < candidates[best].Index))
                {
                    best = c;
                    bestScore = score;
                }
            }
            taken[best] = true;
            picks.Add(new Pick(candidates[best].Index, bestScore));
            for (var c = 0; c < count; c++)
            {
                if (taken[c]) continue;
                var r = Distance(candidates[c].Point, candidates[best].Point);
                distance[c] = Math.Min(distance[c], r);
                penalty[c] *= 1 - Math.Exp(-(r / spacing) * (r / spacing));
            }
        }
        return new Outcome(picks, meanVariance, maxVariance);
    }

    private static double Distance(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var d = 0; d < a.Length; d++) sum += (a[d] - b[d]) * (a[d] - b[d]);
        return Math.Sqrt(sum);
    }
}
