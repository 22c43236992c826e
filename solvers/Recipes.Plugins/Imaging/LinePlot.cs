using SkiaSharp;

namespace Recipes.Plugins.Imaging;

/// <summary>A small line chart (loss curves, validation against experiment) drawn with SkiaSharp and saved as PNG.</summary>
public sealed class LinePlot
{
    private readonly List<(string Label, IReadOnlyList<(double X, double Y)> Points, SKColor Color, bool Markers)> _series = [];

    public LinePlot(string title, string xLabel, string yLabel, bool logY = false)
    {
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
        LogY = logY;
    }

    public string Title { get; }
    public string XLabel { get; }
    public string YLabel { get; }
    public bool LogY { get; }

    private static readonly SKColor[] Palette = [new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189)];

    public LinePlot Add(string label, IEnumerable<(double X, double Y)> points, bool markers = false)
    {
        _series.Add((label, points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogY || p.Y > 0)).ToList(), Palette[_series.Count % Palette.Length], markers));
        return this;
    }

    public void SavePng(string path, int width = 640, int height = 420)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        const float left = 70, right = 20, top = 40, bottom = 50;
        var all = _series.SelectMany(s => s.Points).ToList();
        if (all.Count == 0) all.Add((0, LogY ? 1 : 0));
        double Ty(double y) => LogY ? Math.Log10(y) : y;
        var (x0, x1) = (all.Min(p => p.X), all.Max(p => p.X));
        var (y0, y1) = (all.Min(p => Ty(p.Y)), all.Max(p => Ty(p.Y)));
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0) y1 = y0 + 1;
        var pad = (y1 - y0) * 0.05;
        y0 -= pad;
        y1 += pad;
        float Px(double x) => left + (float)((x - x0) / (x1 - x0)) * (width - left - right);
        float Py(double y) => height - bottom - (float)((Ty(y) - y0) / (y1 - y0)) * (height - top - bottom);

        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var grid = new SKPaint { Color = new SKColor(225, 225, 225), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        using var font = new SKFont(SKTypeface.Default, 12);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (var t = 0; t <= 4; t++)
        {
            var gy = height - bottom - t / 4f * (height - top - bottom);
            canvas.DrawLine(left, gy, width - right, gy, grid);
            var value = y0 + t / 4.0 * (y1 - y0);
            canvas.DrawText(LogY ? $"1e{value:0.0}" : $"{value:G3}", 4, gy + 4, font, ink);
            var gx = left + t / 4f * (width - left - right);
            canvas.DrawText($"{x0 + t / 4.0 * (x1 - x0):G4}", gx - 10, height - bottom + 16, font, ink);
        }
        canvas.DrawRect(left, top, width - left - right, height - top - bottom, axis);
        canvas.DrawText(Title, left, 24, new SKFont(SKTypeface.Default, 15), ink);
        canvas.DrawText(XLabel, width / 2f - 30, height - 12, font, ink);
        canvas.DrawText(YLabel, 4, top - 8, font, ink);

        var legendY = top + 16;
        foreach (var (label, points, color, markers) in _series)
        {
            using var pen = new SKPaint { Color = color, StrokeWidth = 2, IsAntialias = true, Style = markers ? SKPaintStyle.Fill : SKPaintStyle.Stroke };
            if (markers)
                foreach (var p in points) canvas.DrawCircle(Px(p.X), Py(p.Y), 3.5f, pen);
            else
                for (var i = 1; i < points.Count; i++) canvas.DrawLine(Px(points[i - 1].X), Py(points[i - 1].Y), Px(points[i].X), Py(points[i].Y), pen);
            canvas.DrawRect(width - right - 150, legendY - 9, 12, 4, pen);
            canvas.DrawText(label, width - right - 132, legendY - 3, font, ink);
            legendY += 16;
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
