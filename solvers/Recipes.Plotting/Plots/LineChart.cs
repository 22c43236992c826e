using ScottPlot;
using ScottPlot.TickGenerators;

namespace Recipes.Plotting.Plots;

/// <summary>
/// A line chart saved as PNG: loss curves, metrics against a parameter, validation against experiment. Log-y axes are
/// labelled with plain numbers and minor ticks, step and epoch axes with whole numbers, the data never touches the frame,
/// and the legend sits outside the data. The same data gives the same bytes.
/// </summary>
public sealed class LineChart
{
    private readonly List<(string Label, IReadOnlyList<(double X, double Y)> Points, bool Markers)> _series = [];
    private readonly List<(string Label, double Y)> _levels = [];

    /// <param name="title">Above the chart.</param>
    /// <param name="xLabel">With units where there are any, e.g. "time (s)".</param>
    /// <param name="yLabel">With units where there are any.</param>
    /// <param name="logY">Log scale on y; values ≤ 0 are left out.</param>
    /// <param name="integerX">Whole-number ticks on x (steps, epochs, sample counts).</param>
    /// <param name="logX">Log scale on x (learning rates); values ≤ 0 are left out.</param>
    public LineChart(string title, string xLabel, string yLabel, bool logY = false, bool integerX = false, bool logX = false)
    {
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
        LogY = logY;
        IntegerX = integerX && !logX;
        LogX = logX;
    }

    public bool LogX { get; }

    public string Title { get; }
    public string XLabel { get; }
    public string YLabel { get; }
    public bool LogY { get; }
    public bool IntegerX { get; }

    /// <summary>Every text the chart shows besides tick labels: title, axis labels, legend entries.</summary>
    public IReadOnlyList<string> Labels => [Title, XLabel, YLabel, .. _series.Select(s => s.Label), .. _levels.Select(l => l.Label)];

    /// <summary>A series as a line, or as markers only (single measurements, experiments).</summary>
    public LineChart Add(string label, IEnumerable<(double X, double Y)> points, bool markers = false)
    {
        _series.Add((label, points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogY || p.Y > 0) && (!LogX || p.X > 0)).OrderBy(p => p.X).ToList(), markers));
        return this;
    }

    /// <summary>A horizontal reference level across the whole chart (a baseline, a target).</summary>
    public LineChart Level(string label, double y)
    {
        if (double.IsFinite(y) && (!LogY || y > 0)) _levels.Add((label, y));
        return this;
    }

    /// <summary>The ticks the axes will show for the current data, in axis coordinates (log10 of y on a log axis).</summary>
    public (IReadOnlyList<AxisTick> X, IReadOnlyList<AxisTick> Y) Ticks(int width = DefaultWidth, int height = DefaultHeight)
    {
        var (x0, x1, y0, y1) = Limits();
        var xTicks = LogX ? NiceTicks.Log(Math.Pow(10, x0), Math.Pow(10, x1), Math.Clamp(width / 90, 3, 10)) : NiceTicks.Linear(x0, x1, Math.Clamp(width / 90, 3, 10), IntegerX);
        var yTicks = LogY ? NiceTicks.Log(Math.Pow(10, y0), Math.Pow(10, y1), Math.Clamp(height / 45, 3, 10)) : NiceTicks.Linear(y0, y1, Math.Clamp(height / 55, 3, 10));
        return (xTicks, yTicks);
    }

    public const int DefaultWidth = 760;
    public const int DefaultHeight = 440;

    public byte[] RenderPng(int width = DefaultWidth, int height = DefaultHeight)
    {
        using var plot = Build(width, height);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    public void SavePng(string path, int width = DefaultWidth, int height = DefaultHeight) => File.WriteAllBytes(path, RenderPng(width, height));

    private Plot Build(int width, int height)
    {
        PlotFont.Register();
        var plot = new Plot();
        plot.Font.Set(PlotFont.Family);
        plot.Title(Title);
        plot.XLabel(!LogX ? XLabel : XLabel.EndsWith(')') ? $"{XLabel[..^1]}, log scale)" : $"{XLabel} (log scale)");
        plot.YLabel(!LogY ? YLabel : YLabel.EndsWith(')') ? $"{YLabel[..^1]}, log scale)" : $"{YLabel} (log scale)");
        double Ty(double y) => LogY ? Math.Log10(y) : y;
        double Tx(double x) => LogX ? Math.Log10(x) : x;

        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var (label, points, markers) in _series)
        {
            var color = palette.GetColor(index++);
            var scatter = plot.Add.Scatter(points.Select(p => Tx(p.X)).ToArray(), points.Select(p => Ty(p.Y)).ToArray(), color);
            scatter.LegendText = label;
            scatter.LineWidth = markers ? 0 : 2;
            // A line through a dozen points or fewer shows where the measurements are.
            scatter.MarkerSize = markers ? 9 : (points.Count <= 12 ? 5 : 0);
        }
        foreach (var (label, y) in _levels)
        {
            var line = plot.Add.HorizontalLine(Ty(y), 1.5f, palette.GetColor(index++), LinePattern.Dashed);
            line.LegendText = label;
        }

        var (x0, x1, y0, y1) = Limits();
        var (xTicks, yTicks) = Ticks(width, height);
        plot.Axes.Bottom.TickGenerator = Manual(xTicks);
        plot.Axes.Left.TickGenerator = Manual(yTicks);
        plot.Axes.SetLimits(x0, x1, y0, y1);
        // Even one series keeps its legend: its name (a device, "train") is information the axes do not carry.
        if (_series.Count + _levels.Count > 0) plot.ShowLegend(Edge.Right);
        else plot.HideLegend();
        return plot;
    }

    private static NumericManual Manual(IReadOnlyList<AxisTick> ticks)
    {
        var manual = new NumericManual();
        foreach (var tick in ticks)
            if (tick.Label is { } label) manual.AddMajor(tick.Position, label);
            else manual.AddMinor(tick.Position);
        return manual;
    }

    /// <summary>Data range plus a margin on every side, so that no line or marker sits on the frame.</summary>
    private (double X0, double X1, double Y0, double Y1) Limits()
    {
        double Ty(double y) => LogY ? Math.Log10(y) : y;
        var xs = _series.SelectMany(s => s.Points).Select(p => LogX ? Math.Log10(p.X) : p.X).ToList();
        var ys = _series.SelectMany(s => s.Points).Select(p => Ty(p.Y)).Concat(_levels.Select(l => Ty(l.Y))).ToList();
        var (x0, x1) = xs.Count > 0 ? (xs.Min(), xs.Max()) : (0.0, 1.0);
        var (y0, y1) = ys.Count > 0 ? (ys.Min(), ys.Max()) : (LogY ? (-1.0, 0.0) : (0.0, 1.0));
        if (x1 <= x0) (x0, x1) = LogX ? (x0 - 0.15, x1 + 0.15) : (x0 - (IntegerX ? 1 : Math.Max(0.5, Math.Abs(x0) * 0.1)), x1 + (IntegerX ? 1 : Math.Max(0.5, Math.Abs(x1) * 0.1)));
        if (y1 <= y0) (y0, y1) = (y0 - (LogY ? 0.15 : Math.Max(0.5, Math.Abs(y0) * 0.1)), y1 + (LogY ? 0.15 : Math.Max(0.5, Math.Abs(y1) * 0.1)));
        var (dx, dy) = ((x1 - x0) * 0.04, (y1 - y0) * 0.08);
        return (x0 - dx, x1 + dx, y0 - dy, y1 + dy);
    }
}
