using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;

namespace Recipes.Plotting.Plots;

/// <summary>
/// An endlessly looping animated GIF from rendered PNG frames of one size (a rollout beside its ground truth), encoded
/// with ImageSharp: GIF is what every browser, slide deck and issue tracker plays without a player.
/// </summary>
public static class GifAnimation
{
    /// <param name="frames">PNG images, all of the same size.</param>
    /// <param name="delay">Time each frame shows; GIF counts in hundredths of a second.</param>
    public static byte[] Encode(IReadOnlyList<byte[]> frames, TimeSpan delay)
    {
        if (frames.Count == 0) throw new ArgumentException("an animation needs at least one frame", nameof(frames));
        var centiseconds = Math.Max(2, (int)Math.Round(delay.TotalMilliseconds / 10));
        using var animation = Image.Load<Rgba32>(frames[0]);
        Configure(animation.Frames.RootFrame, centiseconds);
        foreach (var png in frames.Skip(1))
        {
            using var frame = Image.Load<Rgba32>(png);
            if (frame.Width != animation.Width || frame.Height != animation.Height)
                throw new ArgumentException($"frame of {frame.Width}x{frame.Height} in an animation of {animation.Width}x{animation.Height}", nameof(frames));
            Configure(animation.Frames.AddFrame(frame.Frames.RootFrame), centiseconds);
        }
        animation.Metadata.GetGifMetadata().RepeatCount = 0;
        using var output = new MemoryStream();
        animation.SaveAsGif(output, new GifEncoder { ColorTableMode = GifColorTableMode.Global });
        return output.ToArray();
    }

    public static void Save(string path, IReadOnlyList<byte[]> frames, TimeSpan delay) => File.WriteAllBytes(path, Encode(frames, delay));

    private static void Configure(ImageFrame<Rgba32> frame, int centiseconds) => frame.Metadata.GetGifMetadata().FrameDelay = centiseconds;
}
