namespace Recipes.Plugins.Formats;

/// <summary>A dense float32 array with its shape, row-major (C order), as numpy stores it.</summary>
public sealed class NpyArray
{
    public NpyArray(int[] shape, float[] data)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count != data.Length)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {count} values, data has {data.Length}");
        Shape = shape;
        Data = data;
    }

    public int[] Shape { get; }
    public float[] Data { get; }
}
