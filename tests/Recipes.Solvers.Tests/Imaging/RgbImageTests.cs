using Recipes.Plotting.Imaging;
using SkiaSharp;

namespace Recipes.Solvers.Tests.Imaging;

/// <summary>Rectangles fill exactly the pixels they cover, clipped to the image, so previews keep their bytes.</summary>
public sealed class RgbImageTests
{
    [Fact]
    public void AFillCoversItsRectangleClippedToTheImageAndNothingElse()
    {
        var image = new RgbImage(7, 5, (10, 20, 30));
        image.Fill(-2, 3, 4, 9, (200, 100, 50));
        image.Fill(5, -1, 10, 2, (1, 2, 3));
        image.Fill(7, 0, 3, 3, (9, 9, 9));
        image.Fill(3, 2, 0, 2, (9, 9, 9));

        using var decoded = SKBitmap.Decode(image.EncodePng());
        for (var y = 0; y < 5; y++)
            for (var x = 0; x < 7; x++)
            {
                var expected = x < 2 && y >= 3 ? new SKColor(200, 100, 50) : x >= 5 && y < 1 ? new SKColor(1, 2, 3) : new SKColor(10, 20, 30);
                Assert.Equal(expected, decoded.GetPixel(x, y));
            }
    }

    [Fact]
    public void AScaledFieldIsOneBlockOfColourPerCellWithRowZeroAtTheBottom()
    {
        var image = new RgbImage(6, 4);
        image.DrawField([0f, 1f, 1f, 0f], 2, 1, 0, 2, 0, 1);

        using var decoded = SKBitmap.Decode(image.EncodePng());
        var low = decoded.GetPixel(1, 2);
        var high = decoded.GetPixel(3, 2);
        Assert.NotEqual(low, high);
        // Cell (row 0, column 0) is low and drawn in the bottom-left 2x2 block; (row 1, column 0) is high, above it.
        foreach (var (x, y) in new[] { (1, 2), (2, 2), (1, 3), (2, 3), (3, 0), (4, 0), (3, 1), (4, 1) }) Assert.Equal(low, decoded.GetPixel(x, y));
        foreach (var (x, y) in new[] { (3, 2), (4, 3), (1, 0), (2, 1) }) Assert.Equal(high, decoded.GetPixel(x, y));
        foreach (var (x, y) in new[] { (0, 0), (5, 3) }) Assert.Equal(SKColors.White, decoded.GetPixel(x, y));
    }
}
