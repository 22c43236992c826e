using PureHDF;
using Recipes.Plugins;
using Recipes.Plugins.Formats;

namespace Recipes.Stages.Datasets;

/// <summary>
/// One split of particle trajectories as LagrangeBench's <c>H5Dataset</c> (lagrangebench/data/data.py) reads it: one
/// group per trajectory, named by its five-digit index in the split (<c>00000</c>, <c>00001</c>, ...; the loader lists
/// the keys and reads <c>00000/position</c> for the sequence length), each with <c>position</c> float32
/// [steps, particles, dim] and <c>particle_type</c> int32 [particles]. Written with PureHDF (pure .NET, no native HDF5).
/// </summary>
internal static class LagrangeBenchFile
{
    /// <summary>LagrangeBench's <c>NodeType.FLUID</c>.</summary>
    public const int Fluid = 0;

    /// <summary>LagrangeBench's <c>NodeType.SOLID_WALL</c>.</summary>
    public const int SolidWall = 1;

    /// <summary>The particle types of "Learning to Simulate" datasets this tool's solvers write: water and boundary.</summary>
    private const int DeepMindWater = 5;
    private const int DeepMindBoundary = 3;

    /// <summary>
    /// The type LagrangeBench gives a particle of a "Learning to Simulate" type: water is its FLUID (0), a boundary
    /// (kinematic) particle its SOLID_WALL (1). Any other type has no counterpart there and fails the node.
    /// </summary>
    public static int TypeOf(int learningToSimulateType, string trajectory) => learningToSimulateType switch
    {
        DeepMindWater => Fluid,
        DeepMindBoundary => SolidWall,
        _ => throw new PluginException($"trajectory {trajectory}: particle type {learningToSimulateType} has no LagrangeBench counterpart (water 5 and boundary 3 do)"),
    };

    /// <summary>Writes <paramref name="trajectories"/> (id, positions, learning-to-simulate types) to <paramref name="path"/> in this order.</summary>
    public static void Write(string path, IReadOnlyList<(string Id, NpyArray Positions, int[] Types)> trajectories)
    {
        var file = new H5File();
        for (var k = 0; k < trajectories.Count; k++)
        {
            var (id, positions, types) = trajectories[k];
            var shape = positions.Shape.Select(d => (ulong)d).ToArray();
            file[k.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)] = new H5Group
            {
                ["position"] = new H5Dataset(positions.Data, fileDims: shape),
                ["particle_type"] = new H5Dataset(types.Select(t => TypeOf(t, id)).ToArray()),
            };
        }
        file.Write(path);
    }
}
