using System.Globalization;

namespace Recipes.Plotting.Plots;

/// <summary>
/// Tick positions and labels people read without effort: steps of 1, 2 or 5 times a power of ten on linear axes
/// (whole numbers only on step and epoch axes) and plain numbers on log axes (0.4, 0.6, 1 rather than 1e-0.4).
/// </summary>
public static class NiceTicks
{
    private static readonly double[] Steps = [1, 2, 5, 10];

    /// <summary>Ticks for [<paramref name="low"/>, <paramref name="high"/>] with at most <paramref name="maxMajor"/> labelled ones.</summary>
    public static IReadOnlyList<AxisTick> Linear(double low, double high, int maxMajor = 7, bool integers = false)
    {
        if (!(high > low)) (low, high) = (low - 0.5, low + 0.5);
        var step = NiceStep((high - low) / Math.Max(1, maxMajor - 1));
        // A step or epoch axis never shows 8.25: its smallest step is one.
        if (integers) step = Math.Max(1, Math.Round(step));
        var decimals = Decimals(step);
        var ticks = new List<AxisTick>();
        var first = Math.Ceiling(low / step - 1e-9);
        for (var k = first; k * step <= high + step * 1e-9; k++)
        {
            var value = Math.Round(k * step, decimals) + 0.0; // -0 + 0 is +0: no "-0" label
            ticks.Add(new AxisTick(value, Format(value, decimals)));
        }
        // Minor ticks split each step in five (or in two on a step of 2), never between whole numbers on an integer axis.
        var parts = step / Math.Pow(10, Math.Floor(Math.Log10(step))) is > 1.5 and < 2.5 ? 4 : 5;
        var minor = step / parts;
        if (!integers || minor >= 1)
            for (var k = Math.Ceiling(low / minor - 1e-9); k * minor <= high + minor * 1e-9; k++)
                if (Math.Abs(k % parts) > 1e-9) ticks.Add(new AxisTick(k * minor, null));
        return ticks;
    }

    /// <summary>
    /// Ticks for a log axis over values [<paramref name="low"/>, <paramref name="high"/>] (both positive); positions are log10
    /// of the values. Within a decade the labels are 1, 2, 4, 6, 8 times a power of ten, over a few decades 1, 2, 5, over
    /// many only the powers of ten; minor ticks mark every integer multiple of each power of ten.
    /// </summary>
    public static IReadOnlyList<AxisTick> Log(double low, double high, int maxMajor = 8)
    {
        if (!(low > 0)) throw new ArgumentOutOfRangeException(nameof(low), low, "A log axis needs positive values.");
        if (!(high > low)) (low, high) = (low / 2, low * 2);
        var decades = Math.Log10(high / low);
        double[] mantissas = decades switch
        {
            <= 0.35 => Finest,
            <= 1.3 => [1, 2, 4, 6, 8],
            <= 3.3 => [1, 2, 5],
            _ => [1],
        };
        var ticks = LogTicks(low, high, mantissas, Math.Max(1, (int)Math.Ceiling(decades / maxMajor)));
        // Too few labels for the range (it falls between the chosen mantissas): the finest set, then linear steps.
        if (ticks.Count(t => t.IsMajor) < 3 && mantissas != Finest) ticks = LogTicks(low, high, Finest, 1);
        if (ticks.Count(t => t.IsMajor) < 2)
            return [.. Linear(low, high, maxMajor).Where(t => t.IsMajor && t.Position > 0).Select(t => t with { Position = Math.Log10(t.Position) })];
        return ticks;
    }

    private static readonly double[] Finest = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9];

    private static List<AxisTick> LogTicks(double low, double high, double[] mantissas, int every)
    {
        var ticks = new List<AxisTick>();
        var (lo, hi) = (Math.Log10(low), Math.Log10(high));
        for (var exponent = (int)Math.Floor(lo); exponent <= (int)Math.Ceiling(hi); exponent++)
        {
            var power = Math.Pow(10, exponent);
            for (var m = 1; m <= 9; m++)
            {
                var value = m * power;
                var position = Math.Log10(value);
                if (position < lo - 1e-9 || position > hi + 1e-9) continue;
                var labelled = m == 1 ? exponent % every == 0 : every == 1 && mantissas.Contains(m);
                ticks.Add(new AxisTick(position, labelled ? FormatValue(value) : null));
            }
            foreach (var m in mantissas.Where(m => m != Math.Floor(m)))
            {
                var value = m * power;
                var position = Math.Log10(value);
                if (position >= lo - 1e-9 && position <= hi + 1e-9) ticks.Add(new AxisTick(position, FormatValue(value)));
            }
        }
        return [.. ticks.OrderBy(t => t.Position)];
    }

    /// <summary>A number as a tick label: plain decimals from 0.0001 to a million, "3e-7" style outside that.</summary>
    public static string FormatValue(double value)
    {
        if (value == 0) return "0";
        var magnitude = Math.Abs(value);
        if (magnitude is >= 1e-4 and < 1e6) return Format(value, Math.Max(0, Decimals(magnitude) + 2)).TrimEnd('0').TrimEnd('.');
        var exponent = (int)Math.Floor(Math.Log10(magnitude));
        var mantissa = Math.Round(value / Math.Pow(10, exponent), 2);
        return string.Create(CultureInfo.InvariantCulture, $"{mantissa:0.##}e{exponent}");
    }

    private static double NiceStep(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        return Steps.First(s => s * power >= rough * (1 - 1e-9)) * power;
    }

    private static int Decimals(double step) => Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));

    private static string Format(double value, int decimals) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
