using Recipes.Plugins;
using Recipes.Plugins.Formats;

namespace Recipes.Training.GraphNetworks;

/// <summary>One trajectory of a split: positions [steps, particles, dim] and particle types.</summary>
public sealed record Trajectory(string Id, int Steps, int Particles, float[] Positions, int[] Types)
{
    /// <summary>
    /// The trajectories of <c>&lt;split&gt;.npz</c> in the gns layout the learning-to-simulate stage writes: per member
    /// <c>trajectory_ID</c> an object array (positions [steps, particles, dim], particle types [particles]).
    /// </summary>
    public static IReadOnlyList<Trajectory> ReadSplit(UpstreamArtifacts dataset, string split, int dim)
    {
        var file = dataset.Find($"{split}.npz");
        if (file is null)
        {
            if (dataset.Find($"{split}.tfrecord") is not null)
                throw new PluginException($"the dataset wrote {split}.tfrecord but no {split}.npz, which this reads; set stages.dataset.files to npz or both");
            return [];
        }
        var result = new List<Trajectory>();
        foreach (var (key, items) in NpzFile.ReadObjects(file.Path).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var id = key.StartsWith("trajectory_", StringComparison.Ordinal) ? key["trajectory_".Length..] : key;
            if (items.Count < 2)
                throw new PluginException($"{split}.npz: {key} holds {items.Count} arrays; expected (positions, particle_type)");
            var (positions, types) = (items[0], items[1]);
            if (positions.Shape.Length != 3 || positions.Shape[2] != dim)
                throw new PluginException($"trajectory {id} has shape ({string.Join(", ", positions.Shape)}); expected [steps, particles, {dim}]");
            if (types.Count != positions.Shape[1])
                throw new PluginException($"trajectory {id} has {types.Count} particle types for {positions.Shape[1]} particles");
            result.Add(new Trajectory(id, positions.Shape[0], positions.Shape[1], positions.ToFloat32(), types.ToInt64().Select(t => (int)t).ToArray()));
        }
        return result;
    }

    /// <summary>Positions History+1 steps ending at <paramref name="t"/>, flat.</summary>
    public float[] Window(int t) => Positions.AsSpan((t - GnsFeatures.History) * Particles * Dim, (GnsFeatures.History + 1) * Particles * Dim).ToArray();

    public ReadOnlySpan<float> At(int t) => Positions.AsSpan(t * Particles * Dim, Particles * Dim);

    public int Dim => Positions.Length / (Steps * Particles);
}
