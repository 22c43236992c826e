using Recipes.Plugins;
using Recipes.Training;
using static TorchSharp.torch;

namespace Recipes.Training.GraphNetworks;

/// <summary>
/// Inputs as the paper builds them: each particle's last five velocities normalized by the dataset statistics (with the
/// training noise folded into the deviation), its distances to the walls clipped at the connectivity radius, and its
/// type; an edge between every pair closer than the radius, carrying the relative displacement and distance over the
/// radius. Targets are accelerations normalized the same way.
/// </summary>
public sealed class GnsFeatures
{
    public const int History = 5;

    public GnsFeatures(GnsMetadata metadata, double noise)
    {
        Metadata = metadata;
        Noise = noise;
        VelocityScale = metadata.VelocityStd.Select(s => Math.Sqrt(s * s + noise * noise)).ToArray();
        AccelerationScale = metadata.AccelerationStd.Select(s => Math.Sqrt(s * s + noise * noise)).ToArray();
    }

    public GnsMetadata Metadata { get; }
    public double Noise { get; }

    /// <summary>Where the graphs' tensors are made: the model's device (<see cref="TorchDevices"/>).</summary>
    public Device Device { get; init; } = CPU;
    public double[] VelocityScale { get; }
    public double[] AccelerationScale { get; }
    public int Dim => Metadata.Dim;

    /// <summary>
    /// Keep predicted positions inside the dataset's bounds, as the simulator that made the data keeps its particles
    /// (its walls end in a hard limit): the learned simulator's integrator honours the same known constraint.
    /// </summary>
    public bool ClampToBox { get; init; }

    /// <summary>Particles the last <see cref="Step"/> held at a wall (zero without <see cref="ClampToBox"/>).</summary>
    public int LastHeld { get; private set; }

    public int NodeFeatureCount => History * Dim + 2 * Dim;
    public int EdgeFeatureCount => Dim + 1;

    /// <summary>Builds the graph for a window of History + 1 positions ([History + 1, particles, dim], flat).</summary>
    public GnsGraph Graph(float[] window, int particles, int[] types)
    {
        var dim = Dim;
        var radius = Metadata.ConnectivityRadius;
        var last = History * particles * dim;
        var nodes = new float[particles * NodeFeatureCount];
        for (var i = 0; i < particles; i++)
        {
            var offset = i * NodeFeatureCount;
            for (var s = 0; s < History; s++)
                for (var d = 0; d < dim; d++)
                {
                    var v = window[((s + 1) * particles + i) * dim + d] - window[(s * particles + i) * dim + d];
                    nodes[offset + s * dim + d] = (float)((v - Metadata.VelocityMean[d]) / VelocityScale[d]);
                }
            for (var d = 0; d < dim; d++)
            {
                var x = window[last + i * dim + d];
                nodes[offset + History * dim + 2 * d] = (float)Math.Clamp((x - Metadata.Lower[d]) / radius, -1, 1);
                nodes[offset + History * dim + 2 * d + 1] = (float)Math.Clamp((Metadata.Upper[d] - x) / radius, -1, 1);
            }
        }
        var (senders, receivers) = Neighbours(window.AsSpan(last, particles * dim), particles, dim, radius);
        var edges = new float[senders.Length * EdgeFeatureCount];
        for (var e = 0; e < senders.Length; e++)
        {
            double squared = 0;
            for (var d = 0; d < dim; d++)
            {
                var r = (window[last + receivers[e] * dim + d] - window[last + senders[e] * dim + d]) / radius;
                edges[e * EdgeFeatureCount + d] = (float)r;
                squared += r * r;
            }
            edges[e * EdgeFeatureCount + dim] = (float)Math.Sqrt(squared);
        }
        return new GnsGraph(
            tensor(nodes, [particles, NodeFeatureCount], device: Device),
            tensor(types.Select(t => (long)t).ToArray(), [particles], device: Device),
            tensor(senders.Select(s => (long)s).ToArray(), [senders.Length], device: Device),
            tensor(receivers.Select(r => (long)r).ToArray(), [receivers.Length], device: Device),
            tensor(edges, [senders.Length, EdgeFeatureCount], device: Device));
    }

    /// <summary>Several windows as one graph (their disjoint union), so a step trains on a batch.</summary>
    public GnsGraph Batch(IReadOnlyList<(float[] Window, int Particles, int[] Types)> windows)
    {
        if (windows.Count == 1) return Graph(windows[0].Window, windows[0].Particles, windows[0].Types);
        var parts = windows.Select(w => Graph(w.Window, w.Particles, w.Types)).ToList();
        var offsets = new List<long>();
        long offset = 0;
        foreach (var w in windows)
        {
            offsets.Add(offset);
            offset += w.Particles;
        }
        using var held = new HeldScalars();
        return new GnsGraph(
            cat(parts.Select(p => p.NodeFeatures).ToList(), 0),
            cat(parts.Select(p => p.Types).ToList(), 0),
            cat(parts.Select((p, k) => held.Plus(p.Senders, offsets[k])).ToList(), 0),
            cat(parts.Select((p, k) => held.Plus(p.Receivers, offsets[k])).ToList(), 0),
            cat(parts.Select(p => p.EdgeFeatures).ToList(), 0));
    }

    /// <summary>Every ordered pair within the radius (self-edges included, as in the paper), found with a cell grid in a fixed order.</summary>
    public static (int[] Senders, int[] Receivers) Neighbours(ReadOnlySpan<float> span, int particles, int dim, double radius)
    {
        var positions = span.ToArray();
        var cells = new Dictionary<(int, int, int), List<int>>();
        (int, int, int) Cell(int i) => ((int)Math.Floor(positions[i * dim] / radius), (int)Math.Floor(positions[i * dim + 1] / radius), dim == 3 ? (int)Math.Floor(positions[i * dim + 2] / radius) : 0);
        for (var i = 0; i < particles; i++)
        {
            var c = Cell(i);
            if (!cells.TryGetValue(c, out var list)) cells[c] = list = [];
            list.Add(i);
        }
        var senders = new List<int>();
        var receivers = new List<int>();
        var r2 = radius * radius;
        for (var i = 0; i < particles; i++)
        {
            var (cx, cy, cz) = Cell(i);
            for (var dz = dim == 3 ? -1 : 0; dz <= (dim == 3 ? 1 : 0); dz++)
                for (var dy = -1; dy <= 1; dy++)
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        if (!cells.TryGetValue((cx + dx, cy + dy, cz + dz), out var list)) continue;
                        foreach (var j in list)
                        {
                            double squared = 0;
                            for (var d = 0; d < dim; d++)
                            {
                                var r = positions[i * dim + d] - positions[j * dim + d];
                                squared += r * r;
                            }
                            if (squared > r2) continue;
                            senders.Add(j);
                            receivers.Add(i);
                        }
                    }
        }
        return (senders.ToArray(), receivers.ToArray());
    }

    /// <summary>Acceleration x_{t+1} − 2x_t + x_{t−1} per particle, normalized.</summary>
    public float[] NormalizedAcceleration(ReadOnlySpan<float> next, ReadOnlySpan<float> current, ReadOnlySpan<float> previous, int particles)
    {
        var dim = Dim;
        var result = new float[particles * dim];
        for (var k = 0; k < result.Length; k++)
        {
            var d = k % dim;
            result[k] = (float)(((double)next[k] - 2.0 * current[k] + previous[k] - Metadata.AccelerationMean[d]) / AccelerationScale[d]);
        }
        return result;
    }

    /// <summary>
    /// The next positions from a predicted normalized acceleration: v' = v + a, x' = x + v', then held inside the box
    /// with <see cref="ClampToBox"/>.
    /// </summary>
    public float[] Step(ReadOnlySpan<float> current, ReadOnlySpan<float> previous, ReadOnlySpan<float> normalized, int particles)
    {
        var dim = Dim;
        var next = new float[particles * dim];
        var held = 0;
        for (var i = 0; i < particles; i++)
        {
            var wall = false;
            for (var d = 0; d < dim; d++)
            {
                var k = i * dim + d;
                var acceleration = normalized[k] * AccelerationScale[d] + Metadata.AccelerationMean[d];
                var x = current[k] + (current[k] - previous[k]) + acceleration;
                if (ClampToBox && (x < Metadata.Lower[d] || x > Metadata.Upper[d]))
                {
                    x = Math.Clamp(x, Metadata.Lower[d], Metadata.Upper[d]);
                    wall = true;
                }
                next[k] = (float)x;
            }
            if (wall) held++;
        }
        LastHeld = held;
        return next;
    }

    public static PluginException NoTrajectories(string split) => new($"the dataset has no {split} trajectories; raise its split.{split}");
}
