using System.Runtime.InteropServices;
using Recipes.Plugins.Files;
using SkiaSharp;

namespace Recipes.Plotting.Imaging;

/// <summary>
/// Single-channel images in [0,1], row 0 at the top, as PNG (8-bit grayscale) through SkiaSharp: resizing with a
/// Mitchell cubic filter, encoding, decoding, and grids of images for reports.
/// </summary>
public sealed class GrayImage
{
    public GrayImage(int width, int height, float[]? pixels = null)
    {
        if (pixels is not null && pixels.Length != width * height) throw new ArgumentException("pixel count does not match the size", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels ?? new float[width * height];
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Row-major, row 0 at the top, values in [0,1] (clamped when encoded).</summary>
    public float[] Pixels { get; }

    /// <summary>A field stored with row 0 at the bottom (y up, as simulations index it), scaled by 1/<paramref name="scale"/>.</summary>
    public static GrayImage FromField(ReadOnlySpan<float> field, int width, int height, float scale = 1f)
    {
        var image = new GrayImage(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                image.Pixels[y * width + x] = field[(height - 1 - y) * width + x] / scale;
        return image;
    }

    private byte[] Bytes() => Pixels.Select(v => (byte)Math.Round(Math.Clamp(v, 0f, 1f) * 255f)).ToArray();

    private SKBitmap Bitmap()
    {
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Gray8, SKAlphaType.Opaque));
        var bytes = Bytes();
        // Gray8 rows may be padded: copy row by row with the bitmap's stride.
        for (var y = 0; y < Height; y++) Marshal.Copy(bytes, y * Width, bitmap.GetPixels() + y * bitmap.RowBytes, Width);
        return bitmap;
    }

    /// <summary>The image resampled to <paramref name="width"/>×<paramref name="height"/> (Mitchell cubic; identity when the size is unchanged).</summary>
    public GrayImage Resize(int width, int height)
    {
        if (width == Width && height == Height) return new GrayImage(width, height, (float[])Pixels.Clone());
        using var source = Bitmap();
        using var target = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        source.ScalePixels(target, new SKSamplingOptions(SKCubicResampler.Mitchell));
        return FromBitmap(target);
    }

    private static GrayImage FromBitmap(SKBitmap bitmap)
    {
        var result = new GrayImage(bitmap.Width, bitmap.Height);
        var row = new byte[bitmap.RowBytes];
        for (var y = 0; y < bitmap.Height; y++)
        {
            Marshal.Copy(bitmap.GetPixels() + y * bitmap.RowBytes, row, 0, bitmap.RowBytes);
            for (var x = 0; x < bitmap.Width; x++) result.Pixels[y * bitmap.Width + x] = row[x] / 255f;
        }
        return result;
    }

    public byte[] EncodePng()
    {
        using var bitmap = Bitmap();
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public void SavePng(string path) => File.WriteAllBytes(path, EncodePng());

    /// <summary>Pixels decoded from one image at most (4096×4096): a 109-byte PNG may declare 30000×30000.</summary>
    public const long MaxPixels = 1L << 24;

    /// <summary>Bytes of one image file read at most.</summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>
    /// Reads a PNG (any colour type) as grayscale in [0,1]: from a regular file of bounded size, its dimensions checked
    /// against <see cref="MaxPixels"/> before anything is decoded, and its pixel data verified complete (a truncated file
    /// is refused, not decoded as a mostly black image). Failures are <see cref="InvalidDataException"/> or
    /// <see cref="RefusedFileException"/> without the path, for the caller to name the file as the user knows it.
    /// </summary>
    public static GrayImage Load(string path)
    {
        using var stream = RegularFile.OpenRead(path, MaxFileBytes);
        using var codec = SKCodec.Create(stream, out var opened) ?? throw new InvalidDataException($"is not a readable image ({opened})");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
            throw new InvalidDataException($"declares {width}x{height} pixels; at most {MaxPixels} pixels (4096x4096) are decoded");
        // The platform's 32-bit colour type, premultiplied, as SKBitmap.Decode would pick, then converted to gray below.
        var info = new SKImageInfo(width, height, SKImageInfo.PlatformColorType,
            codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw new InvalidDataException(result == SKCodecResult.IncompleteInput
                ? "is truncated: its pixel data ends before the image does"
                : $"cannot be decoded ({result})");
        using var gray = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        if (!decoded.CopyTo(gray, SKColorType.Gray8))
            using (var canvas = new SKCanvas(gray)) canvas.DrawBitmap(decoded, 0, 0);
        return FromBitmap(gray);
    }

    /// <summary>Tiles images (all of one size) in rows of <paramref name="columns"/>, with a gap of mid-gray between them.</summary>
    public static GrayImage Grid(IReadOnlyList<GrayImage> images, int columns, int gap = 2)
    {
        if (images.Count == 0) return new GrayImage(1, 1);
        var (w, h) = (images[0].Width, images[0].Height);
        var rows = (images.Count + columns - 1) / columns;
        var grid = new GrayImage(columns * w + (columns - 1) * gap, rows * h + (rows - 1) * gap);
        Array.Fill(grid.Pixels, 0.5f);
        for (var k = 0; k < images.Count; k++)
        {
            var (x0, y0) = (k % columns * (w + gap), k / columns * (h + gap));
            for (var y = 0; y < h; y++)
                images[k].Pixels.AsSpan(y * w, w).CopyTo(grid.Pixels.AsSpan((y0 + y) * grid.Width + x0, w));
        }
        return grid;
    }

    /// <summary>Stacks grids vertically with a wider gap: e.g. real images above generated ones.</summary>
    public static GrayImage Stack(IReadOnlyList<GrayImage> parts, int gap = 6)
    {
        var width = parts.Max(p => p.Width);
        var result = new GrayImage(width, parts.Sum(p => p.Height) + gap * (parts.Count - 1));
        Array.Fill(result.Pixels, 1f);
        var y0 = 0;
        foreach (var part in parts)
        {
            for (var y = 0; y < part.Height; y++) part.Pixels.AsSpan(y * part.Width, part.Width).CopyTo(result.Pixels.AsSpan((y0 + y) * width, part.Width));
            y0 += part.Height + gap;
        }
        return result;
    }
}
