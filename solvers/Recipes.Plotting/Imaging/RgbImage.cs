using SkiaSharp;

namespace Recipes.Plotting.Imaging;

/// <summary>An RGB raster that stages draw into (fields, grids of panels, plots) and save as PNG with SkiaSharp.</summary>
public sealed class RgbImage
{
    private readonly byte[] _pixels;

    public RgbImage(int width, int height, (byte R, byte G, byte B) background = default)
    {
        Width = width;
        Height = height;
        _pixels = new byte[width * height * 4];
        Fill(0, 0, width, height, background == default ? ((byte)255, (byte)255, (byte)255) : background);
    }

    public int Width { get; }
    public int Height { get; }

    public void Set(int x, int y, (byte R, byte G, byte B) color)
    {
        if (x < 0 || y < 0 || x >= Width || y >= Height) return;
        var k = (y * Width + x) * 4;
        _pixels[k] = color.R;
        _pixels[k + 1] = color.G;
        _pixels[k + 2] = color.B;
        _pixels[k + 3] = 255;
    }

    /// <summary>
    /// Fills a rectangle, clipped to the image: row by row as 32-bit words, since drawing a scaled field is a fill per
    /// cell and pixel-by-pixel writes made a 64² preview cost more than the solve it shows.
    /// </summary>
    public void Fill(int x, int y, int width, int height, (byte R, byte G, byte B) color)
    {
        var (left, top) = (Math.Max(0, x), Math.Max(0, y));
        var (right, bottom) = (Math.Min(Width, x + width), Math.Min(Height, y + height));
        if (left >= right || top >= bottom) return;
        // The word whose bytes in memory are R, G, B, 255, whatever the machine's endianness.
        var word = System.Runtime.InteropServices.MemoryMarshal.Read<uint>([color.R, color.G, color.B, 255]);
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(_pixels.AsSpan());
        for (var j = top; j < bottom; j++) words.Slice(j * Width + left, right - left).Fill(word);
    }

    /// <summary>Draws an N×N row-major field (row 0 at the bottom, as y grows upwards) scaled by <paramref name="scale"/>.</summary>
    public void DrawField(ReadOnlySpan<float> field, int size, int x, int y, int scale, double low, double high, bool inferno = false)
    {
        for (var i = 0; i < size; i++)
            for (var j = 0; j < size; j++)
            {
                var color = ColorMap.Map(field[i * size + j], low, high, inferno);
                Fill(x + j * scale, y + (size - 1 - i) * scale, scale, scale, color);
            }
    }

    public void DrawLine(double x0, double y0, double x1, double y1, (byte R, byte G, byte B) color)
    {
        var steps = (int)Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0))) + 1;
        for (var s = 0; s <= steps; s++)
        {
            var t = (double)s / steps;
            Set((int)Math.Round(x0 + t * (x1 - x0)), (int)Math.Round(y0 + t * (y1 - y0)), color);
        }
    }

    public byte[] EncodePng()
    {
        var info = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        System.Runtime.InteropServices.Marshal.Copy(_pixels, 0, bitmap.GetPixels(), _pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public void SavePng(string path) => File.WriteAllBytes(path, EncodePng());
}
