using System.Globalization;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Plotting.Imaging;

namespace Recipes.Solvers.OpenFoam;

/// <summary>
/// <c>postprocess: { converter: openfoam-fields }</c>: turns OpenFOAM's cell fields at chosen times into dataset-ready
/// images — each pixel takes the value of the nearest cell centre (from <c>0/C</c>, written by
/// <c>postProcess -func writeCellCentres -time 0</c>) — saved as float32 <c>.npy</c> (row 0 at the bottom) and PNG,
/// with a strip of all times per field.
/// </summary>
public sealed class FieldsConverter : StagePlugin
{
    public override string Name => "openfoam-fields";
    public override string Stage => StageNames.Postprocess;
    public override int Version => 1;
    public override string Summary => "OpenFOAM cell fields at fixed times to .npy arrays and PNG images on a regular grid.";

    private static readonly Setting<IReadOnlyList<string>> Fields = Settings.Texts("fields", "Scalar fields to convert.", "alpha.water");
    private static readonly Setting<IReadOnlyList<double>> Grid = Settings.Numbers("grid", "Image size [nx, ny].", 64, 64);
    private static readonly Setting<string> Centres = Settings.Text("centres", "The cell-centre file.", "0/C");

    private static readonly Setting<IReadOnlyList<double>?> Times = Settings.OptionalNumbers("times", "Times to convert (default: every written time after 0).");

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        Fields,
        Times,
        Grid,
        Centres,
    ];

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var files = context.InputFiles.ToDictionary(f => f.Name, f => f.Path, StringComparer.Ordinal);
        var centresName = Centres.Read(context.Settings);
        if (!files.TryGetValue(centresName, out var centresPath))
            throw new PluginException($"no '{centresName}' among the simulation's outputs; run 'postProcess -func writeCellCentres -time 0' and declare 0/C as an output");
        var centres = FoamField.ReadVectors(centresPath);
        var cells = centres.Length / 3;
        var grid = Grid.Read(context.Settings);
        var (nx, ny) = ((int)grid[0], (int)grid[1]);
        var nearest = NearestCells(centres, nx, ny);

        var available = files.Keys.Select(name => name.Split('/')).Where(p => p.Length == 2)
            .Select(p => p[0]).Distinct()
            .Select(t => (Text: t, Value: double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN))
            .Where(t => !double.IsNaN(t.Value)).OrderBy(t => t.Value).ToList();
        var wanted = Times.Read(context.Settings) is { } times
            ? times.Select(t => available.FirstOrDefault(a => Math.Abs(a.Value - t) < 1e-9) is { Text: not null } hit
                ? hit : throw new PluginException($"time {t.ToString(CultureInfo.InvariantCulture)} was not written; the simulation wrote {string.Join(", ", available.Select(a => a.Text))}")).ToList()
            : available.Where(a => a.Value > 0).ToList();

        foreach (var field in Fields.Read(context.Settings))
        {
            var frames = new List<float[]>();
            foreach (var (text, _) in wanted)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!files.TryGetValue($"{text}/{field}", out var path))
                    throw new PluginException($"no {text}/{field} among the simulation's outputs");
                var values = FoamField.ReadScalars(path, cells);
                if (values.Length != cells) throw new PluginException($"{text}/{field} has {values.Length} values for {cells} cells");
                var image = new float[nx * ny];
                for (var k = 0; k < image.Length; k++) image[k] = (float)values[nearest[k]];
                NpyFile.Write(context.OutputPath($"{field}/{text}.npy"), new NpyArray([ny, nx], image));
                var png = new RgbImage(nx * 4, ny * 4);
                DrawRectangular(png, image, nx, ny, 0, 4);
                png.SavePng(context.OutputPath($"{field}/{text}.png"));
                frames.Add(image);
            }
            var strip = new RgbImage(Math.Max(1, frames.Count) * (nx * 2 + 2), ny * 2);
            for (var f = 0; f < frames.Count; f++) DrawRectangular(strip, frames[f], nx, ny, f * (nx * 2 + 2), 2);
            strip.SavePng(context.OutputPath($"{field}/frames.png"));
        }
        context.Metrics["cells"] = cells;
        context.Metrics["times"] = wanted.Count;
        return Task.CompletedTask;
    }

    private static void DrawRectangular(RgbImage image, float[] field, int nx, int ny, int x, int scale)
    {
        for (var i = 0; i < ny; i++)
            for (var j = 0; j < nx; j++)
                image.Fill(x + j * scale, (ny - 1 - i) * scale, scale, scale, ColorMap.Map(field[i * nx + j], 0, 1));
    }

    /// <summary>For every pixel centre over the cells' bounding box, the index of the nearest cell centre (x, y only).</summary>
    private static int[] NearestCells(double[] centres, int nx, int ny)
    {
        var cells = centres.Length / 3;
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        for (var c = 0; c < cells; c++)
        {
            minX = Math.Min(minX, centres[3 * c]);
            maxX = Math.Max(maxX, centres[3 * c]);
            minY = Math.Min(minY, centres[3 * c + 1]);
            maxY = Math.Max(maxY, centres[3 * c + 1]);
        }
        var result = new int[nx * ny];
        Parallel.For(0, ny, i =>
        {
            var y = minY + (i + 0.5) / ny * (maxY - minY);
            for (var j = 0; j < nx; j++)
            {
                var x = minX + (j + 0.5) / nx * (maxX - minX);
                var best = 0;
                var bestDistance = double.MaxValue;
                for (var c = 0; c < cells; c++)
                {
                    var dx = centres[3 * c] - x;
                    var dy = centres[3 * c + 1] - y;
                    var d = dx * dx + dy * dy;
                    if (d < bestDistance)
                    {
                        bestDistance = d;
                        best = c;
                    }
                }
                result[i * nx + j] = best;
            }
        });
        return result;
    }
}
