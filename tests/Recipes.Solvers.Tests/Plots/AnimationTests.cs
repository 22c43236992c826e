using Recipes.Plotting.Plots;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace Recipes.Solvers.Tests.Plots;

/// <summary>Rollout animations and particle colours: what the gns evaluator's rollout.gif and rollout.png are made of.</summary>
public sealed class AnimationTests
{
    private static byte[] Frame(int t) =>
        new FieldGrid($"t = {t} (x-y plane)", ["ground truth", "rollout"]) { PanelPixels = 60 }
            .AddRow("", new ParticlePanel([(0.1 + 0.1 * t, 0.5)], (0, 0), (1, 1)), new ParticlePanel([(0.2 + 0.1 * t, 0.4)], (0, 0), (1, 1)))
            .RenderPng();

    [Fact]
    public void FramesBecomeALoopingGifWithTheirDelay()
    {
        var frames = Enumerable.Range(0, 3).Select(Frame).ToList();
        var gif = GifAnimation.Encode(frames, TimeSpan.FromMilliseconds(120));

        Assert.Equal("GIF89a"u8.ToArray(), gif.Take(6));
        using var decoded = Image.Load<Rgba32>(gif);
        Assert.Equal(3, decoded.Frames.Count);
        Assert.Equal(0, decoded.Metadata.GetGifMetadata().RepeatCount);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(12, decoded.Frames[i].Metadata.GetGifMetadata().FrameDelay));
        using var first = Image.Load<Rgba32>(frames[0]);
        Assert.Equal((first.Width, first.Height), (decoded.Width, decoded.Height));
        // Same frames, same bytes: the animation is an artifact like any other.
        Assert.Equal(gif, GifAnimation.Encode(frames, TimeSpan.FromMilliseconds(120)));
    }

    [Fact]
    public void FramesOfDifferentSizesAreRefused()
    {
        var small = new FieldGrid("a", ["x"]) { PanelPixels = 40 }.AddRow("", new ParticlePanel([(0.5, 0.5)], (0, 0), (1, 1))).RenderPng();
        var error = Assert.Throws<ArgumentException>(() => GifAnimation.Encode([Frame(0), small], TimeSpan.FromMilliseconds(100)));
        Assert.Contains("in an animation of", error.Message);
        Assert.Throws<ArgumentException>(() => GifAnimation.Encode([], TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void EachParticleTakesItsOwnColour()
    {
        // Two particle types side by side: both colours must be on the panel.
        var points = Enumerable.Range(0, 40).Select(i => (0.05 + 0.02 * i, 0.5)).ToList();
        var colours = Enumerable.Range(0, 40).Select(i => i < 20 ? "#1f77b4" : "#d4a017").ToList();
        var png = new FieldGrid("types", ["panel"]) { PanelPixels = 120 }
            .AddRow("", new ParticlePanel(points, (0, 0), (1, 1), PointColors: colours)).RenderPng();
        using var bitmap = SKBitmap.Decode(png);
        var seen = new HashSet<SKColor>();
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++) seen.Add(bitmap.GetPixel(x, y));
        Assert.Contains(new SKColor(0x1f, 0x77, 0xb4), seen);
        Assert.Contains(new SKColor(0xd4, 0xa0, 0x17), seen);
    }
}
