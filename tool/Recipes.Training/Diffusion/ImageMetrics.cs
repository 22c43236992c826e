namespace Recipes.Training.Diffusion;

/// <summary>
/// Distances between sets of images in [0, 1] that need no downloaded network: the L1 distance between intensity
/// histograms of all pixels (0 for identical distributions, 2 for disjoint ones), the error of the mean density, and
/// the 1-Wasserstein distance between the per-image mean densities.
/// </summary>
public static class ImageMetrics
{
    public static double[] Histogram(ReadOnlySpan<float> pixels, int bins)
    {
        var counts = new double[bins];
        foreach (var v in pixels) counts[Math.Clamp((int)(v * bins), 0, bins - 1)]++;
        for (var b = 0; b < bins; b++) counts[b] /= Math.Max(1, pixels.Length);
        return counts;
    }

    public static double HistogramDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int bins)
    {
        var (ha, hb) = (Histogram(a, bins), Histogram(b, bins));
        return ha.Zip(hb).Sum(p => Math.Abs(p.First - p.Second));
    }

    public static double[] ImageMeans(ReadOnlySpan<float> pixels, int pixelsPerImage)
    {
        var count = pixels.Length / pixelsPerImage;
        var means = new double[count];
        for (var k = 0; k < count; k++)
        {
            double sum = 0;
            foreach (var v in pixels.Slice(k * pixelsPerImage, pixelsPerImage)) sum += v;
            means[k] = sum / pixelsPerImage;
        }
        return means;
    }

    /// <summary>W1 between two empirical distributions (of possibly different sizes), by their quantile functions.</summary>
    public static double Wasserstein(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var (sa, sb) = (a.Order().ToArray(), b.Order().ToArray());
        const int points = 1000;
        double sum = 0;
        for (var k = 0; k < points; k++)
        {
            var q = (k + 0.5) / points;
            sum += Math.Abs(sa[(int)(q * sa.Length)] - sb[(int)(q * sb.Length)]);
        }
        return sum / points;
    }

    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var (mx, my) = (x.Average(), y.Average());
        double sxy = 0, sxx = 0, syy = 0;
        for (var k = 0; k < x.Count; k++)
        {
            sxy += (x[k] - mx) * (y[k] - my);
            sxx += (x[k] - mx) * (x[k] - mx);
            syy += (y[k] - my) * (y[k] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }

    public static double MeanSquaredError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (var k = 0; k < a.Length; k++) sum += (a[k] - (double)b[k]) * (a[k] - b[k]);
        return sum / Math.Max(1, a.Length);
    }
}
