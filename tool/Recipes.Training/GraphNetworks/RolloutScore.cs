namespace Recipes.Training.GraphNetworks;

/// <summary>
/// How a rollout compares with the truth and with physics, per trajectory: position MSE over the horizon and at 10, 50
/// and 100 % of it, the largest fraction of particles outside the box at any step, the mean relative deviation of the
/// neighbour count (a density proxy: particles within the connectivity radius) from the first frame's, the mean
/// centre-of-mass distance, and the mean distance of the surge front (the largest x) from the true front.
/// </summary>
public sealed record RolloutScore(double RolloutMse, double MseAt10, double MseAt50, double MseAt100, double OutsideFraction,
    double DensityDeviation, double CentreOfMassError, double FrontError, double[] MsePerStep)
{
    /// <param name="start">The last true position the rollout was given; steps after it are scored.</param>
    public static RolloutScore Of(float[] rollout, Trajectory truth, int start, GnsMetadata metadata)
    {
        var dim = metadata.Dim;
        var n = truth.Particles;
        var size = n * dim;
        var horizon = truth.Steps - 1 - start;
        if (horizon < 1) throw new ArgumentException("the trajectory has no step after the given history", nameof(truth));
        var perStep = new double[horizon];
        double outside = 0, density = 0, centre = 0, front = 0;
        var restNeighbours = MeanNeighbours(truth.At(start), n, metadata);
        for (var h = 0; h < horizon; h++)
        {
            var t = start + 1 + h;
            var predicted = rollout.AsSpan(t * size, size);
            var actual = truth.At(t);
            double squared = 0;
            for (var k = 0; k < size; k++) squared += Math.Pow(predicted[k] - actual[k], 2);
            perStep[h] = squared / size;
            var outsideNow = 0;
            for (var i = 0; i < n; i++)
                for (var d = 0; d < dim; d++)
                {
                    // In float32, as positions are stored: a particle clamped onto a wall is inside.
                    var x = predicted[i * dim + d];
                    if (x < (float)metadata.Lower[d] || x > (float)metadata.Upper[d])
                    {
                        outsideNow++;
                        break;
                    }
                }
            outside = Math.Max(outside, (double)outsideNow / n);
            if (restNeighbours > 0) density += Math.Abs(MeanNeighbours(predicted, n, metadata) / restNeighbours - 1);
            double distance = 0;
            for (var d = 0; d < dim; d++) distance += Math.Pow(Mean(predicted, n, dim, d) - Mean(actual, n, dim, d), 2);
            centre += Math.Sqrt(distance);
            front += Math.Abs(Max(predicted, n, dim) - Max(actual, n, dim));
        }
        double At(double fraction) => perStep[Math.Clamp((int)Math.Ceiling(fraction * horizon) - 1, 0, horizon - 1)];
        return new RolloutScore(perStep.Average(), At(0.1), At(0.5), At(1.0), outside, density / horizon, centre / horizon, front / horizon, perStep);
    }

    private static double Mean(ReadOnlySpan<float> frame, int n, int dim, int d)
    {
        double sum = 0;
        for (var i = 0; i < n; i++) sum += frame[i * dim + d];
        return sum / n;
    }

    private static double Max(ReadOnlySpan<float> frame, int n, int dim)
    {
        var max = double.NegativeInfinity;
        for (var i = 0; i < n; i++) max = Math.Max(max, frame[i * dim]);
        return max;
    }

    /// <summary>Mean count of other particles within the connectivity radius, found through a grid of radius-sized cells.</summary>
    private static double MeanNeighbours(ReadOnlySpan<float> frame, int n, GnsMetadata metadata)
    {
        var dim = metadata.Dim;
        var radius = metadata.ConnectivityRadius;
        var r2 = radius * radius;
        var cells = new Dictionary<(long, long, long), List<int>>();
        (long, long, long) Cell(ReadOnlySpan<float> f, int i) =>
            ((long)Math.Floor(f[i * dim] / radius), (long)Math.Floor(f[i * dim + 1] / radius), dim > 2 ? (long)Math.Floor(f[i * dim + 2] / radius) : 0);
        for (var i = 0; i < n; i++)
        {
            var c = Cell(frame, i);
            if (!cells.TryGetValue(c, out var list)) cells[c] = list = [];
            list.Add(i);
        }
        long pairs = 0;
        for (var i = 0; i < n; i++)
        {
            var (cx, cy, cz) = Cell(frame, i);
            for (var dx = -1; dx <= 1; dx++)
                for (var dy = -1; dy <= 1; dy++)
                    for (var dz = dim > 2 ? -1 : 0; dz <= (dim > 2 ? 1 : 0); dz++)
                    {
                        if (!cells.TryGetValue((cx + dx, cy + dy, cz + dz), out var others)) continue;
                        foreach (var j in others)
                        {
                            if (j == i) continue;
                            double d2 = 0;
                            for (var d = 0; d < dim; d++) d2 += Math.Pow(frame[i * dim + d] - frame[j * dim + d], 2);
                            if (d2 <= r2) pairs++;
                        }
                    }
        }
        return (double)pairs / n;
    }
}
