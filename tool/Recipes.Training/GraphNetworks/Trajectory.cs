using Recipes.Plugins;
using Recipes.Plugins.Formats;

namespace Recipes.Stages.GraphNetworks;

/// <summary>One trajectory of a split: positions [steps, particles, dim] and particle types.</summary>
public sealed record Trajectory(string Id, int Steps, int Particles, float[] Positions, int[] Types)
{
    public static IReadOnlyList<Trajectory> ReadSplit(UpstreamArtifacts dataset, string split, int dim)
    {
        var file = dataset.Find($"{split}.npz");
        if (file is null) return [];
        var arrays = NpzFile.Read(file.Path);
        var result = new List<Trajectory>();
        foreach (var key in arrays.Keys.Where(k => k.EndsWith("_position", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var id = key["trajectory_".Length..^"_position".Length];
            var positions = arrays[key];
            var types = arrays[$"trajectory_{id}_particle_type"].Data.Select(t => (int)t).ToArray();
            if (positions.Shape.Length != 3 || positions.Shape[2] != dim)
                throw new PluginException($"trajectory {id} has shape ({string.Join(", ", positions.Shape)}); expected [steps, particles, {dim}]");
            result.Add(new Trajectory(id, positions.Shape[0], positions.Shape[1], positions.Data, types));
        }
        return result;
    }

    /// <summary>Positions History+1 steps ending at <paramref name="t"/>, flat.</summary>
    public float[] Window(int t) => Positions.AsSpan((t - GnsFeatures.History) * Particles * Dim, (GnsFeatures.History + 1) * Particles * Dim).ToArray();

    public ReadOnlySpan<float> At(int t) => Positions.AsSpan(t * Particles * Dim, Particles * Dim);

    public int Dim => Positions.Length / (Steps * Particles);
}
