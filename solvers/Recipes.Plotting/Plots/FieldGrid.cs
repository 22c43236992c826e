using ScottPlot;
using ScottPlot.TickGenerators;

namespace Recipes.Plotting.Plots;

/// <summary>
/// A grid of panels (fields or particles) with a title, a label on every row and every column, and one colour bar per
/// <see cref="FieldScale"/> used, saved as PNG. The same panels give the same bytes.
/// </summary>
public sealed class FieldGrid
{
    private readonly List<(string Label, IReadOnlyList<GridPanel> Panels)> _rows = [];

    /// <param name="title">Above the grid.</param>
    /// <param name="columns">One label per column, e.g. "input", "truth", "prediction", "|error|".</param>
    public FieldGrid(string title, IReadOnlyList<string> columns)
    {
        Title = title;
        Columns = columns;
    }

    public string Title { get; }
    public IReadOnlyList<string> Columns { get; }
    public IReadOnlyList<string> RowLabels => [.. _rows.Select(r => r.Label)];

    /// <summary>The colour scales in the order their colour bars are drawn (first use).</summary>
    public IReadOnlyList<FieldScale> Scales =>
        [.. _rows.SelectMany(r => r.Panels).OfType<FieldPanel>().Select(p => p.Scale).Distinct()];

    /// <summary>Every text the grid shows besides colour-bar ticks: title, column labels, row labels, colour-bar labels.</summary>
    public IReadOnlyList<string> Labels => [Title, .. Columns, .. RowLabels, .. Scales.Select(s => s.Label)];

    public FieldGrid AddRow(string label, params IReadOnlyList<GridPanel> panels)
    {
        if (panels.Count != Columns.Count)
            throw new ArgumentException($"Row '{label}' has {panels.Count} panels for {Columns.Count} columns.", nameof(panels));
        _rows.Add((label, panels));
        return this;
    }

    /// <summary>Pixels along the shorter side of a panel; the image size follows from it.</summary>
    public int PanelPixels { get; init; } = 128;

    public (int Width, int Height) Size()
    {
        var aspect = _rows.SelectMany(r => r.Panels).Select(p => p.Aspect).DefaultIfEmpty(1).Max();
        var (pw, ph) = aspect >= 1 ? (PanelPixels * aspect, (double)PanelPixels) : (PanelPixels, PanelPixels / aspect);
        var rowLabel = 14 + 7 * _rows.Select(r => r.Label.Length).DefaultIfEmpty(4).Max();
        var width = rowLabel + Columns.Count * (pw * (1 + Gap)) + 140 * Scales.Count + 30;
        var height = 60 + (Math.Max(1, _rows.Count) * (1 + Gap) + ColumnBand) * ph + 20;
        return ((int)Math.Ceiling(width), (int)Math.Ceiling(height));
    }

    public byte[] RenderPng()
    {
        var (width, height) = Size();
        using var plot = Build();
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    public void SavePng(string path) => File.WriteAllBytes(path, RenderPng());

    /// <summary>Gap between panels as a fraction of a panel.</summary>
    private const double Gap = 0.08;

    /// <summary>Height of the column-label band above the panels, as a fraction of a panel.</summary>
    private const double ColumnBand = 0.22;

    private Plot Build()
    {
        PlotFont.Register();
        var plot = new Plot();
        plot.Font.Set(PlotFont.Family);
        plot.Title(Title);
        plot.HideGrid();
        var aspect = _rows.SelectMany(r => r.Panels).Select(p => p.Aspect).DefaultIfEmpty(1).Max();
        var (cw, ch) = (aspect * (1 + Gap), 1 + Gap);

        var bars = new Dictionary<FieldScale, ScottPlot.Plottables.Heatmap>();
        for (var r = 0; r < _rows.Count; r++)
            for (var c = 0; c < Columns.Count; c++)
            {
                var (left, top) = (c * cw, -r * ch);
                var panel = _rows[r].Panels[c];
                var box = new CoordinateRect(left, left + aspect * Math.Min(1, panel.Aspect / aspect), top - Math.Min(1, aspect / panel.Aspect), top);
                switch (panel)
                {
                    // A panel with no finite value (a missing example) stays blank.
                    case FieldPanel field when !field.Values.Any(float.IsFinite):
                        break;
                    case FieldPanel field:
                        var heatmap = plot.Add.Heatmap(Intensities(field));
                        heatmap.Rectangle = box;
                        heatmap.Colormap = Colormap(field.Scale.Colors);
                        heatmap.ManualRange = new ScottPlot.Range(field.Scale.Low, field.Scale.High);
                        bars.TryAdd(field.Scale, heatmap);
                        break;
                    case ParticlePanel particles:
                        var frame = plot.Add.Rectangle(box.Left, box.Right, box.Bottom, box.Top);
                        frame.FillColor = Colors.White;
                        frame.LineColor = Colors.Gray;
                        var sx = box.Width / (particles.Upper.X - particles.Lower.X);
                        var sy = box.Height / (particles.Upper.Y - particles.Lower.Y);
                        // Particles that left the box (a poor rollout) would be drawn over the neighbouring panels.
                        var inside = particles.Points.Select((p, i) => (p.X, p.Y, Color: particles.PointColors?[i] ?? particles.Color))
                            .Where(p => p.X >= particles.Lower.X && p.X <= particles.Upper.X && p.Y >= particles.Lower.Y && p.Y <= particles.Upper.Y).ToList();
                        // One scatter per colour, in first-seen order, so the drawing order is the same every time.
                        foreach (var group in inside.GroupBy(p => p.Color))
                        {
                            var dots = plot.Add.ScatterPoints(
                                group.Select(p => box.Left + (p.X - particles.Lower.X) * sx).ToArray(),
                                group.Select(p => box.Bottom + (p.Y - particles.Lower.Y) * sy).ToArray(),
                                Color.FromHex(group.Key));
                            dots.MarkerSize = 3;
                        }
                        break;
                }
            }
        foreach (var (scale, heatmap) in bars)
        {
            var bar = plot.Add.ColorBar(heatmap, Edge.Right);
            bar.Label = scale.Label;
        }

        // Row labels are the left axis' tick labels (ScottPlot keeps them clear of the panels); column labels are text
        // in a band of data space above the first row, since the top axis keeps a range of its own.
        var rows = new NumericManual();
        for (var r = 0; r < _rows.Count; r++) rows.AddMajor(-r * ch - 0.5, _rows[r].Label);
        plot.Axes.Left.TickGenerator = rows;
        for (var c = 0; c < Columns.Count; c++)
        {
            var text = plot.Add.Text(Columns[c], c * cw + aspect / 2, Gap / 2);
            text.LabelFontName = PlotFont.Family;
            text.LabelFontSize = 14;
            text.LabelAlignment = Alignment.LowerCenter;
        }
        foreach (var axis in new IAxis[] { plot.Axes.Left, plot.Axes.Top, plot.Axes.Bottom, plot.Axes.Right })
        {
            if (axis != plot.Axes.Left) axis.TickGenerator = new NumericManual();
            axis.FrameLineStyle.Width = 0;
            axis.MajorTickStyle.Length = 0;
            axis.MinorTickStyle.Length = 0;
        }
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Axes.SetLimits(-Gap * aspect / 2, Columns.Count * cw - Gap * aspect / 2, -_rows.Count * ch + Gap / 2, Gap / 2 + ColumnBand);
        plot.Axes.SquareUnits();
        return plot;
    }

    /// <summary>Values as ScottPlot heatmap intensities, row 0 at the top as in an image.</summary>
    private static double[,] Intensities(FieldPanel field)
    {
        var values = new double[field.Height, field.Width];
        for (var y = 0; y < field.Height; y++)
            for (var x = 0; x < field.Width; x++)
            {
                var v = field.Values[y * field.Width + x];
                values[y, x] = float.IsFinite(v) ? v : double.NaN;
            }
        return values;
    }

    private static IColormap Colormap(FieldColors colors) => colors switch
    {
        FieldColors.Viridis => new ScottPlot.Colormaps.Viridis(),
        FieldColors.Gray => new ScottPlot.Colormaps.Grayscale(),
        _ => new ScottPlot.Colormaps.Inferno(),
    };
}
