using Recipes.Plugins;

namespace Recipes.Adaptive;

/// <summary>
/// A small regressor ensemble on points of the unit cube: each member is ridge regression on its own random Fourier
/// features of a Gaussian kernel (Rahimi and Recht 2007) plus a linear part, fitted to its own bootstrap resample of the
/// data. Members agree where the data pin the function down and disagree away from the data and where the function
/// changes faster than the data resolve, which is what the ensemble-variance acquisition looks for (the "query by
/// committee" idea). Everything is double precision, single-threaded and seeded, so a fit is bitwise reproducible.
/// </summary>
public sealed class EnsembleSurrogate
{
    /// <summary>Ridge penalty on standardized targets, relative to the number of points.</summary>
    public const double Ridge = 1e-3;

    private readonly Member[] _members;
    private readonly double _mean;
    private readonly double _scale;

    private sealed record Member(double[][] Frequencies, double[] Phases, double[] Weights);

    private EnsembleSurrogate(Member[] members, double mean, double scale)
    {
        _members = members;
        _mean = mean;
        _scale = scale;
    }

    public static EnsembleSurrogate Fit(IReadOnlyList<double[]> points, IReadOnlyList<double> targets, int members, int features, double lengthScale, ulong seed)
    {
        if (points.Count == 0) throw new ArgumentException("no points to fit", nameof(points));
        var n = points.Count;
        var mean = targets.Average();
        var spread = Math.Sqrt(targets.Sum(t => (t - mean) * (t - mean)) / n);
        var scale = spread > 0 ? spread : 1;
        var fitted = new Member[members];
        for (var m = 0; m < members; m++)
        {
            var random = new SeededRandom(seed * 0x9E3779B97F4A7C15UL + (ulong)m + 1);
            var dimensions = points[0].Length;
            var frequencies = new double[features][];
            var phases = new double[features];
            for (var f = 0; f < features; f++)
            {
                frequencies[f] = new double[dimensions];
                for (var d = 0; d < dimensions; d++) frequencies[f][d] = Gaussian(random) / lengthScale;
                phases[f] = random.Uniform(0, 2 * Math.PI);
            }
            // Member 0 sees the data as they are, so a committee of one is the plain fit; the others see bootstraps.
            var rows = m == 0 ? Enumerable.Range(0, n).ToArray() : Enumerable.Range(0, n).Select(_ => random.Int(0, n - 1)).ToArray();
            var width = 1 + dimensions + features;
            var gram = new double[width, width];
            var right = new double[width];
            var row = new double[width];
            foreach (var i in rows)
            {
                FeaturesOf(points[i], frequencies, phases, row);
                var y = (targets[i] - mean) / scale;
                for (var a = 0; a < width; a++)
                {
                    right[a] += row[a] * y;
                    for (var b = 0; b <= a; b++) gram[a, b] += row[a] * row[b];
                }
            }
            for (var a = 0; a < width; a++)
            {
                for (var b = 0; b < a; b++) gram[b, a] = gram[a, b];
                gram[a, a] += Ridge * n;
            }
            fitted[m] = new Member(frequencies, phases, Cholesky.Solve(gram, right));
        }
        return new EnsembleSurrogate(fitted, mean, scale);
    }

    /// <summary>The members' mean prediction and their variance at one point (in the target's units).</summary>
    public (double Mean, double Variance) Predict(double[] point)
    {
        var row = new double[_members[0].Weights.Length];
        var sum = 0.0;
        var squares = 0.0;
        foreach (var member in _members)
        {
            FeaturesOf(point, member.Frequencies, member.Phases, row);
            var value = 0.0;
            for (var k = 0; k < row.Length; k++) value += row[k] * member.Weights[k];
            value = _mean + _scale * value;
            sum += value;
            squares += value * value;
        }
        var mean = sum / _members.Length;
        return (mean, Math.Max(0, squares / _members.Length - mean * mean));
    }

    private static void FeaturesOf(double[] point, double[][] frequencies, double[] phases, double[] row)
    {
        row[0] = 1;
        for (var d = 0; d < point.Length; d++) row[1 + d] = point[d] - 0.5;
        var norm = Math.Sqrt(2.0 / frequencies.Length);
        for (var f = 0; f < frequencies.Length; f++)
        {
            var argument = phases[f];
            for (var d = 0; d < point.Length; d++) argument += frequencies[f][d] * point[d];
            row[1 + point.Length + f] = norm * Math.Cos(argument);
        }
    }

    /// <summary>A standard normal draw (Box–Muller on two uniform draws).</summary>
    private static double Gaussian(SeededRandom random)
    {
        var u = 1 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
