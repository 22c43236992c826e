using Recipes.Plugins;
using ILGPU;
using ILGPU.Runtime;

namespace Recipes.Solvers.Sph;

/// <summary>The outcome of a run: fluid positions at every output step, and what the checks need.</summary>
public sealed record SphResult(
    int Fluid,
    int Walls,
    int Steps,
    double Dt,
    double OutputDt,
    float[][] Frames,
    double[] Times,
    double[] Energy,
    double[] FrontX,
    double Mass,
    double MaxDensityRatio)
{
    /// <summary>The DFSPH solver's per-step record; null for the weakly compressible scheme.</summary>
    public DfsphStatistics? Dfsph { get; init; }
}

/// <summary>
/// Runs one weakly compressible SPH scene: lattice-placed fluid blocks in a box whose walls are layers of fixed
/// particles, the cell list rebuilt on the host each step in particle order, and the density, wall, force and
/// integration kernels on an ILGPU accelerator.
/// </summary>
public sealed class SphSimulation
{
    private readonly SphScene _scene;

    public SphSimulation(SphScene scene) => _scene = scene;

    public static (float[] Fluid, float[] Velocity, float[] Walls) Place(SphScene scene)
    {
        var dx = scene.Spacing;
        var fluid = new List<float>();
        var velocity = new List<float>();
        // Without jitter nothing is drawn: the plain lattice, exactly as before the setting existed.
        var random = new SeededRandom(scene.JitterSeed);
        var reach = scene.Jitter * dx;
        double Offset() => reach > 0 ? random.Uniform(-reach, reach) : 0;
        foreach (var block in scene.Blocks)
        {
            var counts = Enumerable.Range(0, 3).Select(d => d < scene.Dimensions ? Math.Max(1, (int)Math.Floor(block.Size[d] / dx + 1e-9)) : 1).ToArray();
            for (var k = 0; k < counts[2]; k++)
                for (var j = 0; j < counts[1]; j++)
                    for (var i = 0; i < counts[0]; i++)
                    {
                        fluid.Add((float)(block.Origin[0] + (i + 0.5) * dx + Offset()));
                        fluid.Add((float)(block.Origin[1] + (j + 0.5) * dx + Offset()));
                        fluid.Add(scene.Dimensions == 3 ? (float)(block.Origin[2] + (k + 0.5) * dx + Offset()) : 0f);
                        velocity.Add((float)block.Velocity[0]);
                        velocity.Add((float)block.Velocity[1]);
                        velocity.Add(scene.Dimensions == 3 ? (float)block.Velocity[2] : 0f);
                    }
        }
        // Wall particles fill the layers just outside the box (corners included), at the fluid's spacing.
        var walls = new List<float>();
        var layers = scene.WallLayers;
        var n = Enumerable.Range(0, 3).Select(d => d < scene.Dimensions ? (int)Math.Round(scene.Box[d] / dx) : 1).ToArray();
        for (var k = scene.Dimensions == 3 ? -layers : 0; k < (scene.Dimensions == 3 ? n[2] + layers : 1); k++)
            for (var j = -layers; j < n[1] + layers; j++)
                for (var i = -layers; i < n[0] + layers; i++)
                {
                    var inside = i >= 0 && i < n[0] && j >= 0 && j < n[1] && (scene.Dimensions == 2 || (k >= 0 && k < n[2]));
                    if (inside) continue;
                    walls.Add((float)((i + 0.5) * scene.Box[0] / n[0]));
                    walls.Add((float)((j + 0.5) * scene.Box[1] / n[1]));
                    walls.Add(scene.Dimensions == 3 ? (float)((k + 0.5) * scene.Box[2] / n[2]) : 0f);
                }
        return (fluid.ToArray(), velocity.ToArray(), walls.ToArray());
    }

    public static float KernelNorm(int dimensions, double h) =>
        (float)(dimensions == 2 ? 7.0 / (4 * Math.PI * h * h) : 21.0 / (16 * Math.PI * h * h * h));

    /// <summary>Hydrostatic density at depth below the top of the particle's block, so the run starts without a pressure wave.</summary>
    public static float[] HydrostaticDensity(SphScene scene, float[] fluid, double b)
    {
        var result = new float[fluid.Length / 3];
        for (var i = 0; i < result.Length; i++)
        {
            var y = fluid[3 * i + 1];
            var top = scene.Blocks.Where(k => y >= k.Origin[1] - 1e-9 && y <= k.Origin[1] + k.Size[1] + 1e-9).Select(k => k.Origin[1] + k.Size[1]).DefaultIfEmpty(y).Max();
            var pressure = scene.Density * scene.Gravity * (top - y);
            result[i] = (float)(scene.Density * Math.Pow(1 + pressure / b, 1.0 / 7));
        }
        return result;
    }

    public SphResult Run(Accelerator accelerator, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        if (_scene.Scheme == SphScheme.Dfsph) return new DfsphSimulation(_scene).Run(accelerator, progress, cancellationToken);
        var scene = _scene;
        var (fluid, velocity, walls) = Place(scene);
        var nf = fluid.Length / 3;
        var nw = walls.Length / 3;
        var total = nf + nw;
        var h = scene.SmoothingLength;
        var mass = scene.Density * Math.Pow(scene.Spacing, scene.Dimensions);
        var c0 = scene.SoundSpeed;
        var dt = scene.Step;
        var steps = (int)Math.Ceiling(scene.Duration / dt);
        var cell = (float)(2 * h);
        var layersWidth = scene.WallLayers * scene.Spacing;
        int Cells(int d) => d < scene.Dimensions ? (int)Math.Ceiling((scene.Box[d] + 2 * layersWidth) / cell) + 2 : 1;
        var p = new SphKernels.Parameters
        {
            Fluid = nf,
            Dimensions = scene.Dimensions,
            H = (float)h,
            Mass = (float)mass,
            Rho0 = (float)scene.Density,
            B = (float)(c0 * c0 * scene.Density / 7),
            SoundSpeed = (float)c0,
            Nu = (float)scene.Viscosity,
            Alpha = (float)scene.ArtificialViscosity,
            Gravity = (float)scene.Gravity,
            Dt = (float)dt,
            Cell = cell,
            CellsX = Cells(0),
            CellsY = Cells(1),
            CellsZ = Cells(2),
            KernelNorm = KernelNorm(scene.Dimensions, h),
            BoxX = (float)scene.Box[0],
            BoxY = (float)scene.Box[1],
            BoxZ = scene.Dimensions == 3 ? (float)scene.Box[2] : 0f,
            Delta = 0.1f,
        };
        // Cells are offset by the wall layers so that wall particles (at negative coordinates) get cells too.
        var offset = (float)layersWidth;

        var all = new float[3 * total];
        fluid.CopyTo(all, 0);
        walls.CopyTo(all, fluid.Length);
        var shifted = all.Select((v, k) => k % 3 < scene.Dimensions ? v + offset : v).ToArray();
        var allVelocity = new float[3 * total];
        velocity.CopyTo(allVelocity, 0);
        var cellCount = p.CellsX * p.CellsY * p.CellsZ;

        var initialDensity = new float[total];
        HydrostaticDensity(scene, fluid, p.B).CopyTo(initialDensity, 0);
        var density = accelerator.Allocate1D(initialDensity);
        using var densityRate = accelerator.Allocate1D<float>(total);
        var pressure = accelerator.Allocate1D<float>(total);
        var acceleration = accelerator.Allocate1D<float>(3 * total);
        using var position = accelerator.Allocate1D(shifted);
        using var velocities = accelerator.Allocate1D(allVelocity);
        using var starts = accelerator.Allocate1D<int>(cellCount);
        using var ends = accelerator.Allocate1D<int>(cellCount);
        using var order = accelerator.Allocate1D<int>(total);
        using (density)
        using (pressure)
        using (acceleration)
        {
            var stateKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, SphKernels.Parameters>(SphKernels.State);
            var wallKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, SphKernels.Parameters>(SphKernels.Walls);
            var forceKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, SphKernels.Parameters>(SphKernels.Forces);
            var integrateKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SphKernels.Parameters>(SphKernels.Integrate);

            var hostPositions = shifted;
            var cellOf = new int[total];
            var counts = new int[cellCount];
            var startHost = new int[cellCount];
            var endHost = new int[cellCount];
            var sortedHost = new int[total];
            var frames = new List<float[]>();
            var times = new List<double>();
            var energy = new List<double>();
            var front = new List<double>();
            var maxRatio = 0.0;
            // Positions are shifted by the wall layers' width: the box is [offset, box + offset] on every axis.
            p.Lower = offset;
            p.BoxX += offset;
            p.BoxY += offset;
            if (scene.Dimensions == 3) p.BoxZ += offset;

            void Record(int step)
            {
                var v = velocities.GetAsArray1D();
                var rho = density.GetAsArray1D();
                var frame = new float[nf * scene.Dimensions];
                double kinetic = 0, potential = 0, elastic = 0, frontX = double.MinValue;
                for (var i = 0; i < nf; i++)
                {
                    for (var d = 0; d < scene.Dimensions; d++) frame[i * scene.Dimensions + d] = hostPositions[3 * i + d] - offset;
                    kinetic += 0.5 * mass * (v[3 * i] * v[3 * i] + v[3 * i + 1] * v[3 * i + 1] + v[3 * i + 2] * v[3 * i + 2]);
                    potential += mass * scene.Gravity * (hostPositions[3 * i + 1] - offset);
                    elastic += mass * InternalEnergy(rho[i], scene.Density, p.B);
                    frontX = Math.Max(frontX, hostPositions[3 * i] - offset);
                    maxRatio = Math.Max(maxRatio, rho[i] / scene.Density);
                }
                frames.Add(frame);
                times.Add(step * dt);
                energy.Add(kinetic + potential + elastic);
                front.Add(frontX);
            }

            for (var step = 0; ; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                BuildCells(hostPositions, total, p, cellOf, counts, startHost, endHost, sortedHost);
                starts.CopyFromCPU(startHost);
                ends.CopyFromCPU(endHost);
                order.CopyFromCPU(sortedHost);
                stateKernel(nf, density.View, pressure.View, p);
                wallKernel(nw, position.View, density.View, pressure.View, starts.View, ends.View, order.View, p);
                accelerator.Synchronize();
                if (step % scene.OutputEvery == 0) Record(step);
                if (step == steps) break;
                forceKernel(nf, position.View, velocities.View, density.View, pressure.View, acceleration.View, densityRate.View, starts.View, ends.View, order.View, p);
                integrateKernel(nf, position.View, velocities.View, acceleration.View, density.View, densityRate.View, p);
                accelerator.Synchronize();
                position.View.AsContiguous().SubView(0, 3 * nf).CopyToCPU(hostPositions.AsSpan(0, 3 * nf));
                if (step % 64 == 0) progress?.Report((double)step / steps);
            }
            return new SphResult(nf, nw, steps, dt, dt * scene.OutputEvery, frames.ToArray(), times.ToArray(), energy.ToArray(), front.ToArray(),
                mass * nf, maxRatio);
        }
    }

    /// <summary>Energy stored by compression: ∫ p/ρ² dρ from ρ0 for Tait's law (zero below ρ0, where pressure is clamped).</summary>
    public static double InternalEnergy(double rho, double rho0, double b)
    {
        if (rho <= rho0) return 0;
        const double gamma = 7;
        double F(double r) => b * Math.Pow(r, gamma - 1) / (Math.Pow(rho0, gamma) * (gamma - 1)) + b / r;
        return F(rho) - F(rho0);
    }

    /// <summary>Counting sort of particles by cell, stable in particle index, so neighbour sums are reproducible.</summary>
    internal static void BuildCells(float[] positions, int total, SphKernels.Parameters p, int[] cellOf, int[] counts, int[] start, int[] end, int[] sorted)
    {
        Array.Clear(counts);
        for (var i = 0; i < total; i++)
        {
            var x = Clamp((int)(positions[3 * i] / p.Cell) + 1, p.CellsX);
            var y = Clamp((int)(positions[3 * i + 1] / p.Cell) + 1, p.CellsY);
            var z = p.Dimensions == 3 ? Clamp((int)(positions[3 * i + 2] / p.Cell) + 1, p.CellsZ) : 0;
            var c = (z * p.CellsY + y) * p.CellsX + x;
            cellOf[i] = c;
            counts[c]++;
        }
        var running = 0;
        for (var c = 0; c < counts.Length; c++)
        {
            start[c] = running;
            running += counts[c];
            end[c] = start[c];
        }
        for (var i = 0; i < total; i++) sorted[end[cellOf[i]]++] = i;
    }

    private static int Clamp(int c, int count) => c < 0 ? 0 : c >= count ? count - 1 : c;
}
