using Recipes.Plotting.Plots;
using SkiaSharp;

namespace Recipes.Solvers.Tests.Plots;

/// <summary>Charts and field grids: readable ticks, byte-identical output, text that renders, colour bars that exist.</summary>
public sealed class PlotTests
{
    private static string Keep(string name, byte[] png)
    {
        // Left in the temp folder so a person can look at what the tests drew.
        var path = Path.Combine(Path.GetTempPath(), "recipes-plots", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, png);
        return path;
    }

    private static LineChart Loss() =>
        new LineChart("Training loss and test MAE", "epoch", "MAE", logY: true, integerX: true)
            .Add("train MAE", Enumerable.Range(1, 33).Select(e => ((double)e, 1.02 * Math.Pow(0.37 / 1.02, (e - 1) / 32.0))))
            .Add("test MAE", [(33.0, 0.37)], markers: true)
            .Level("best baseline", 0.55);

    [Fact]
    public void LogAxisFromPointFourToOneIsLabelledWithPlainNumbersAndMinorTicks()
    {
        var ticks = NiceTicks.Log(0.37, 1.02);
        var labels = ticks.Where(t => t.IsMajor).Select(t => t.Label!).ToList();
        Assert.Contains("0.4", labels);
        Assert.Contains("0.6", labels);
        Assert.Contains("1", labels);
        Assert.DoesNotContain(labels, l => l.Contains('e', StringComparison.Ordinal));
        Assert.Contains(ticks, t => !t.IsMajor);
        Assert.All(ticks, t => Assert.InRange(t.Position, Math.Log10(0.37) - 1e-9, Math.Log10(1.02) + 1e-9));
    }

    [Fact]
    public void LogAxisOverManyDecadesShowsPowersOfTen()
    {
        var labels = NiceTicks.Log(3e-5, 2.0).Where(t => t.IsMajor).Select(t => t.Label).ToList();
        Assert.Equal(["0.0001", "0.001", "0.01", "0.1", "1"], labels);
    }

    [Fact]
    public void NarrowLogRangeStillGetsDistinctLabels()
    {
        var labels = NiceTicks.Log(0.00121, 0.00129).Where(t => t.IsMajor).Select(t => t.Label).ToList();
        Assert.True(labels.Count >= 2, string.Join(", ", labels));
        Assert.Equal(labels.Count, labels.Distinct().Count());
    }

    [Fact]
    public void EpochAxisTicksAreWholeNumbers()
    {
        var chart = Loss();
        var (x, _) = chart.Ticks();
        var labels = x.Where(t => t.IsMajor).Select(t => t.Label!).ToList();
        Assert.True(labels.Count >= 3);
        Assert.All(labels, l => Assert.Matches("^-?[0-9]+$", l));
        Assert.Equal(labels.Count, labels.Distinct().Count());
        Assert.DoesNotContain(NiceTicks.Linear(0, 1650, 5, integers: true), t => t.Label is { } l && l.Contains('.', StringComparison.Ordinal));
    }

    [Fact]
    public void ChartLimitsLeaveRoomAroundEveryPoint()
    {
        var (x, y) = Loss().Ticks();
        // The test MAE point (33, 0.37) lies inside the axis range, not on its edge.
        Assert.True(x.Max(t => t.Position) <= 34.5);
        Assert.True(y.Min(t => t.Position) > Math.Log10(0.37) - 0.1);
        Assert.Equal(["Training loss and test MAE", "epoch", "MAE", "train MAE", "test MAE", "best baseline"], Loss().Labels);
    }

    [Fact]
    public void SameDataGivesTheSameBytes()
    {
        var first = Loss().RenderPng();
        var second = Loss().RenderPng();
        Keep("loss.png", first);
        Assert.Equal(first, second);
        Assert.Equal(Grid().RenderPng(), Grid().RenderPng());
    }

    [Fact]
    public void TitleTextIsDrawnWithTheEmbeddedFont()
    {
        Assert.Equal("DejaVu Sans", PlotFont.Typeface.FamilyName);
        using var bitmap = SKBitmap.Decode(Loss().RenderPng());
        // The title band holds dark glyph pixels across a good part of its width (boxes or nothing would not).
        var dark = 0;
        for (var y = 0; y < 40; y++)
            for (var x = 0; x < bitmap.Width; x++)
                if (bitmap.GetPixel(x, y) is var p && p.Red + p.Green + p.Blue < 200) dark++;
        Assert.True(dark > 200, $"{dark} dark pixels in the title band");
    }

    private static FieldGrid Grid()
    {
        const int size = 16;
        var ramp = Enumerable.Range(0, size * size).Select(k => (float)(k % size) / (size - 1)).ToArray();
        var temperature = new FieldScale("temperature (normalized)", 0, 1);
        var error = new FieldScale("|error|", 0, 0.1, FieldColors.Viridis);
        var grid = new FieldGrid("Test predictions", ["input", "truth", "prediction", "|error|"]);
        foreach (var id in new[] { "sample 3", "sample 7" })
            grid.AddRow(id, FieldPanel.Square(ramp, size, temperature), FieldPanel.Square(ramp, size, temperature),
                FieldPanel.Square(ramp, size, temperature), FieldPanel.Square(ramp.Select(v => v * 0.1f).ToArray(), size, error));
        return grid;
    }

    [Fact]
    public void FieldGridHasLabelsAndAColourBarPerScale()
    {
        var grid = Grid();
        Assert.Equal(["Test predictions", "input", "truth", "prediction", "|error|", "sample 3", "sample 7", "temperature (normalized)", "|error|"], grid.Labels);
        var png = grid.RenderPng();
        Keep("grid.png", png);
        using var bitmap = SKBitmap.Decode(png);
        // Right of the last panel column: at least two vertical strips whose colours change monotonically (the bars).
        var bars = 0;
        var lastStrip = -10;
        for (var x = bitmap.Width * 2 / 3; x < bitmap.Width; x++)
            if (MonotoneRun(bitmap, x) >= bitmap.Height / 3)
            {
                if (x - lastStrip > 5) bars++;
                lastStrip = x;
            }
        Assert.True(bars >= 2, $"{bars} colour bars found");
    }

    /// <summary>Longest vertical run of coloured (not grey) pixels at column x whose brightness only rises or only falls.</summary>
    private static int MonotoneRun(SKBitmap bitmap, int x)
    {
        int best = 0, run = 0, direction = 0;
        double previous = -1;
        for (var y = 0; y < bitmap.Height; y++)
        {
            var p = bitmap.GetPixel(x, y);
            var colourful = Math.Max(p.Red, Math.Max(p.Green, p.Blue)) - Math.Min(p.Red, Math.Min(p.Green, p.Blue)) > 25;
            var brightness = 0.299 * p.Red + 0.587 * p.Green + 0.114 * p.Blue;
            if (!colourful) { run = 0; direction = 0; previous = -1; continue; }
            var step = previous < 0 ? 0 : Math.Sign(Math.Round(brightness - previous));
            if (step != 0 && direction != 0 && step != direction) { run = 1; direction = 0; }
            else { run++; if (step != 0) direction = step; }
            previous = brightness;
            best = Math.Max(best, run);
        }
        return best;
    }

    [Fact]
    public void AMissingFieldLeavesItsPanelBlank()
    {
        var scale = new FieldScale("intensity", 0, 1, FieldColors.Gray);
        var grid = new FieldGrid("Samples", ["#1", "#2"]);
        grid.AddRow("test", FieldPanel.Square(new float[16], 4, scale), FieldPanel.Square(Enumerable.Repeat(float.NaN, 16).ToArray(), 4, scale));
        Assert.True(grid.RenderPng().Length > 1000);
    }

    [Fact]
    public void ParticleGridDrawsLabelledPanels()
    {
        var points = Enumerable.Range(0, 200).Select(i => (X: i % 20 * 0.02 + 0.1, Y: i / 20 * 0.02 + 0.1)).ToList();
        var grid = new FieldGrid("Rollout", ["t = 0", "t = 10"]);
        grid.AddRow("truth", new ParticlePanel(points, (0, 0), (1, 1)), new ParticlePanel(points, (0, 0), (1, 1)));
        grid.AddRow("rollout", new ParticlePanel(points, (0, 0), (1, 1), "#d62728"), new ParticlePanel(points, (0, 0), (1, 1), "#d62728"));
        Keep("particles.png", grid.RenderPng());
        Assert.Equal(["Rollout", "t = 0", "t = 10", "truth", "rollout"], grid.Labels);
    }
}
