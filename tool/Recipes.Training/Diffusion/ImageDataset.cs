using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Training;
using static TorchSharp.torch;

namespace Recipes.Training.Diffusion;

/// <summary>
/// The arrays of an <c>image-folder</c> dataset for one split: images in [0, 1] [N, 1, H, W], their parameters
/// [N, P], and the parameter names and ranges (over every split) that conditions are normalized with.
/// </summary>
public sealed record ImageDataset(string Split, float[] Images, int Count, int Size, float[] Parameters, IReadOnlyList<string> Names,
    double[] Minimum, double[] Maximum)
{
    public static ImageDataset Read(IReadOnlyList<UpstreamArtifacts> upstream, string split)
    {
        var dataset = upstream.FirstOrDefault(u => u.Stage == StageNames.Dataset && u.Find("metadata.json") is not null && u.Find($"{split}_images.npy") is not null)
            ?? throw new PluginException($"no image-folder dataset with a '{split}' split upstream; use dataset: {{ format: image-folder }}");
        var metadata = JsonNode.Parse(File.ReadAllText(dataset.Get("metadata.json").Path))!;
        var images = NpyFile.Read(dataset.Get($"{split}_images.npy").Path);
        var parameters = NpyFile.Read(dataset.Get($"{split}_params.npy").Path);
        var names = metadata["parameters"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        return new ImageDataset(split, images.Data, images.Shape[0], images.Shape[^1], parameters.Data, names,
            metadata["minimum"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray(),
            metadata["maximum"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray());
    }

    public int Pixels => Size * Size;

    /// <summary>Images [rows, 1, H, W] scaled to [−1, 1], the range the models work in.</summary>
    public Tensor ImageBatch(IReadOnlyList<int> rows)
    {
        var data = new float[rows.Count * Pixels];
        for (var k = 0; k < rows.Count; k++) Images.AsSpan(rows[k] * Pixels, Pixels).CopyTo(data.AsSpan(k * Pixels));
        // The scope holds the intermediate tensors while libtorch reads them, also for callers outside any scope.
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        return (tensor(data, [rows.Count, 1, Size, Size]) * held[2] - held[1]).MoveToOuterDisposeScope();
    }

    /// <summary>Parameters of the rows mapped from [min, max] to [−1, 1] (a constant parameter maps to 0).</summary>
    public Tensor ConditionBatch(IReadOnlyList<int> rows, double[] minimum, double[] maximum)
    {
        var p = Names.Count;
        var data = new float[rows.Count * p];
        for (var k = 0; k < rows.Count; k++)
            for (var j = 0; j < p; j++)
                data[k * p + j] = Normalize(Parameters[rows[k] * p + j], minimum[j], maximum[j]);
        return tensor(data, [rows.Count, p]);
    }

    public static float Normalize(double value, double minimum, double maximum) =>
        maximum > minimum ? (float)(2 * (value - minimum) / (maximum - minimum) - 1) : 0f;

    public float Parameter(int row, int index) => Parameters[row * Names.Count + index];
}
