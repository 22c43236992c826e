using ILGPU;
using ILGPU.Runtime;

namespace Recipes.Solvers.Sph;

/// <summary>
/// Runs one scene with divergence-free SPH (Bender and Koschier, "Divergence-Free Smoothed Particle Hydrodynamics",
/// SCA 2015, and "Divergence-Free SPH for Incompressible and Viscous Fluids", TVCG 2017). Each step: neighbour lists
/// and densities at the current positions; the divergence-free solve (Dρ/Dt = 0) on the velocities; non-pressure
/// forces and a CFL time step; the constant-density solve (ρ* = ρ0) on the predicted velocities; the drift.
///
/// Why DFSPH rather than IISPH or the weakly compressible scheme: WCSPH's step is bound by a numerical sound speed
/// (dt ≈ 0.25·h/c, about 10⁻⁴ s for a 1 m scene), DFSPH's only by the flow speed (dt = λ·dx/max|v|), ten to fifty times
/// longer. IISPH solves the same constant-density problem, but without the divergence solve its velocity field keeps
/// a compression rate that the next step must undo, which makes large CFL steps unstable (the 2017 paper shows IISPH
/// needing several times the iterations at equal steps); DFSPH's two solves converge in a few Jacobi-like iterations
/// each, from the previous step's stiffness (warm start).
///
/// Same walls, kernel and neighbour search as the weakly compressible scheme: wall particles count towards a fluid
/// particle's density with their lattice volume and mirror its pressure. Densities are normalised so that a resting
/// lattice of particles has density exactly one: the Wendland sum over a lattice at h = 1.3·dx is not exactly 1/dx^d,
/// and without that the solver would start by pushing the resting block apart.
/// </summary>
public sealed class DfsphSimulation
{
    private readonly SphScene _scene;

    public DfsphSimulation(SphScene scene) => _scene = scene;

    /// <summary>
    /// Both solves start from half the last step's stiffness. The divergence pressure is transient (SPlisHSPlasH halves it
    /// too); for the density solve, whose increments are never negative, the whole last stiffness over-pushes wherever
    /// the flow relaxed, and that pumped energy in (the 3D cube gained 85% in 0.3 s); half of it kept energy falling and
    /// still saved most iterations.
    /// </summary>
    private const float WarmStart = 0.5f;

    /// <summary>
    /// Monaghan's artificial viscosity needs a signal speed, and DFSPH has no sound speed; it uses this fraction of the
    /// scene's numerical one (2.5 times the reference flow speed). Calibrated on Martin and Moyce at 20 particles per
    /// column width: the full WCSPH value lags the surge front 10.5% at T = 3.3, none at all leads it 15% at T = 1.2.
    /// </summary>
    public const double SignalSpeedFraction = 0.25;

    /// <summary>
    /// On a CPU accelerator the kernels are called straight from <see cref="Parallel.For(int, int, Action{int})"/> over
    /// fixed particle ranges instead of through ILGPU's CPU launcher, which simulates GPU thread groups, and the hot ones
    /// as <see cref="DfsphCpuKernels"/>' span versions: the same per-particle arithmetic in the same order, so the same
    /// bits, in 15 s instead of 28 s for 0.2 s of the 3D cube on 2 cores. Set this to launch the ILGPU kernels anyway,
    /// as on CUDA (the tests compare the two).
    /// </summary>
    public bool LaunchThroughIlgpu { get; init; }

    private bool Direct(Accelerator accelerator) => accelerator.AcceleratorType == AcceleratorType.CPU && !LaunchThroughIlgpu;

    /// <summary>Runs <paramref name="body"/> for particles 0..count-1 in fixed contiguous ranges, one task per range.</summary>
    private static void ForEach(int count, Action<int> body) => ForRanges(count, (from, to) =>
    {
        for (var i = from; i < to; i++) body(i);
    });

    /// <summary>Splits 0..count-1 into fixed contiguous ranges (each particle's result depends only on its own sums).</summary>
    private static void ForRanges(int count, Action<int, int> body)
    {
        var ranges = Math.Max(1, Math.Min(count, 8 * Environment.ProcessorCount));
        Parallel.For(0, ranges, r => body((int)((long)count * r / ranges), (int)((long)count * (r + 1) / ranges)));
    }

    private Action<Index1D, DfsphKernels.Views, DfsphKernels.Parameters> Load(Accelerator accelerator, Action<Index1D, DfsphKernels.Views, DfsphKernels.Parameters> kernel,
        Action<int, int, DfsphKernels.Views, DfsphKernels.Parameters> cpu) =>
        Direct(accelerator)
            ? (extent, views, p) => ForRanges(extent, (from, to) => cpu(from, to, views, p))
            : accelerator.LoadAutoGroupedStreamKernel(kernel);

    private Action<Index1D, DfsphKernels.Views, DfsphKernels.Parameters> Load(Accelerator accelerator, Action<Index1D, DfsphKernels.Views, DfsphKernels.Parameters> kernel) =>
        Direct(accelerator)
            ? (extent, views, p) => ForEach(extent, i => kernel(i, views, p))
            : accelerator.LoadAutoGroupedStreamKernel(kernel);

    private Action<Index1D, DfsphKernels.Views, ArrayView<float>, DfsphKernels.Parameters> LoadApply(Accelerator accelerator) =>
        Direct(accelerator)
            ? (extent, views, t, p) => ForRanges(extent, (from, to) => DfsphCpuKernels.Apply(from, to, views, t, p))
            : accelerator.LoadAutoGroupedStreamKernel<Index1D, DfsphKernels.Views, ArrayView<float>, DfsphKernels.Parameters>(DfsphKernels.Apply);

    private Action<Index1D, DfsphKernels.Views, ArrayView<float>, float> LoadWarm(Accelerator accelerator, Action<Index1D, DfsphKernels.Views, ArrayView<float>, float> kernel) =>
        Direct(accelerator)
            ? (extent, views, t, scale) => ForEach(extent, i => kernel(i, views, t, scale))
            : accelerator.LoadAutoGroupedStreamKernel(kernel);

    /// <summary>Σ_k W(|k|·dx) over an infinite lattice (self included), and the neighbours inside the support.</summary>
    public static (double Sum, int Neighbours) Lattice(int dimensions, double h, double dx)
    {
        var norm = SphSimulation.KernelNorm(dimensions, h);
        var reach = (int)Math.Ceiling(2 * h / dx);
        double sum = 0;
        var neighbours = 0;
        for (var k = dimensions == 3 ? -reach : 0; k <= (dimensions == 3 ? reach : 0); k++)
            for (var j = -reach; j <= reach; j++)
                for (var i = -reach; i <= reach; i++)
                {
                    var q = Math.Sqrt(i * i + j * j + k * k) * dx / h;
                    if (q >= 2) continue;
                    var t = 1 - 0.5 * q;
                    sum += norm * t * t * t * t * (2 * q + 1);
                    if (i != 0 || j != 0 || k != 0) neighbours++;
                }
        return (sum, neighbours);
    }

    public SphResult Run(Accelerator accelerator, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var scene = _scene;
        var (fluid, velocity, walls) = SphSimulation.Place(scene);
        var nf = fluid.Length / 3;
        var nw = walls.Length / 3;
        var total = nf + nw;
        var dims = scene.Dimensions;
        var h = scene.SmoothingLength;
        var dx = scene.Spacing;
        var mass = scene.Density * Math.Pow(dx, dims);
        var (latticeSum, latticeNeighbours) = Lattice(dims, h, dx);
        var volume = 1 / latticeSum;
        var wallCell = Enumerable.Range(0, dims).Aggregate(1.0, (v, d) => v * scene.Box[d] / Math.Round(scene.Box[d] / dx));
        var cell = (float)(2 * h);
        var layersWidth = scene.WallLayers * dx;
        int Cells(int d) => d < dims ? (int)Math.Ceiling((scene.Box[d] + 2 * layersWidth) / cell) + 2 : 1;
        var offset = (float)layersWidth;
        var p = new DfsphKernels.Parameters
        {
            Fluid = nf,
            Dimensions = dims,
            Capacity = dims == 2 ? 48 : 128,
            // SPlisHSPlasH skips the divergence solve for particles with fewer than 20 of ~33 lattice neighbours (3D).
            MinNeighbours = (int)(0.6 * latticeNeighbours),
            H = (float)h,
            KernelNorm = SphSimulation.KernelNorm(dims, h),
            Volume = (float)volume,
            Gravity = (float)scene.Gravity,
            Nu = (float)scene.Viscosity,
            Alpha = (float)scene.ArtificialViscosity,
            SoundSpeed = (float)(SignalSpeedFraction * scene.SoundSpeed),
            Cell = cell,
            CellsX = Cells(0),
            CellsY = Cells(1),
            CellsZ = Cells(2),
            BoxX = (float)scene.Box[0] + offset,
            BoxY = (float)scene.Box[1] + offset,
            BoxZ = dims == 3 ? (float)scene.Box[2] + offset : 0f,
            Lower = offset,
        };
        // The host cell list is shared with the weakly compressible scheme; it reads only the cell fields.
        var cells = new SphKernels.Parameters { Dimensions = dims, Cell = cell, CellsX = p.CellsX, CellsY = p.CellsY, CellsZ = p.CellsZ };
        var cellCount = p.CellsX * p.CellsY * p.CellsZ;

        var hostPositions = new float[3 * total];
        fluid.CopyTo(hostPositions, 0);
        walls.CopyTo(hostPositions, fluid.Length);
        for (var k = 0; k < hostPositions.Length; k++)
            if (k % 3 < dims) hostPositions[k] += offset;

        using var position = accelerator.Allocate1D(hostPositions);
        using var velocities = accelerator.Allocate1D(velocity);
        using var acceleration = accelerator.Allocate1D<float>(3 * nf);
        using var density = accelerator.Allocate1D<float>(nf);
        using var factor = accelerator.Allocate1D<float>(nf);
        using var error = accelerator.Allocate1D<float>(nf);
        using var stiffness = accelerator.Allocate1D<float>(nf);
        using var densityStiffness = accelerator.Allocate1D<float>(nf);
        using var divergenceStiffness = accelerator.Allocate1D<float>(nf);
        using var wallVolume = accelerator.Allocate1D(Enumerable.Repeat((float)(wallCell / Math.Pow(dx, dims) * volume), Math.Max(1, nw)).ToArray());
        using var count = accelerator.Allocate1D<int>(nf);
        using var starts = accelerator.Allocate1D<int>(cellCount);
        using var ends = accelerator.Allocate1D<int>(cellCount);
        using var order = accelerator.Allocate1D<int>(total);
        var neighbour = accelerator.Allocate1D<int>((long)nf * p.Capacity);
        var gradient = accelerator.Allocate1D<float>(3L * nf * p.Capacity);
        // Fresh device memory is not zeroed, and the warm starts read last step's stiffness.
        stiffness.MemSetToZero();
        // The density solve's running stiffness starts as hydrostatic pressure, κ = p/ρ0 = g·depth (depth below the top
        // of the particle's block), so the first warm start (half of it, as every warm start) already carries most of the
        // column, as the weakly compressible scheme starts from hydrostatic density: without it the first steps needed
        // tens of iterations to carry pressure down 32 layers, and the column dropped into its floor.
        var hydrostatic = new float[nf];
        for (var i = 0; i < nf; i++)
        {
            var y = fluid[3 * i + 1];
            var top = scene.Blocks.Where(k => y >= k.Origin[1] - 1e-9 && y <= k.Origin[1] + k.Size[1] + 1e-9).Select(k => k.Origin[1] + k.Size[1]).DefaultIfEmpty(y).Max();
            hydrostatic[i] = (float)(scene.Gravity * (top - y));
        }
        densityStiffness.CopyFromCPU(hydrostatic);
        divergenceStiffness.MemSetToZero();
        try
        {
            DfsphKernels.Views Views() => new()
            {
                Position = position.View,
                Velocity = velocities.View,
                Acceleration = acceleration.View,
                Density = density.View,
                Factor = factor.View,
                Error = error.View,
                Stiffness = stiffness.View,
                WallVolume = wallVolume.View,
                Count = count.View,
                Neighbour = neighbour.View,
                Gradient = gradient.View,
                CellStart = starts.View,
                CellEnd = ends.View,
                Sorted = order.View,
            };
            var views = Views();
            var neighboursKernel = Load(accelerator, DfsphKernels.Neighbours, DfsphCpuKernels.Neighbours);
            var divergenceKernel = Load(accelerator, DfsphKernels.DivergenceError, DfsphCpuKernels.DivergenceError);
            var densityKernel = Load(accelerator, DfsphKernels.DensityError, DfsphCpuKernels.DensityError);
            var applyKernel = LoadApply(accelerator);
            var warmKernel = LoadWarm(accelerator, DfsphKernels.WarmStart);
            var nonPressureKernel = Load(accelerator, DfsphKernels.NonPressure, DfsphCpuKernels.NonPressure);
            var kickKernel = Load(accelerator, DfsphKernels.Kick);
            var driftKernel = Load(accelerator, DfsphKernels.Drift);

            var cellOf = new int[total];
            var counts = new int[cellCount];
            var startHost = new int[cellCount];
            var endHost = new int[cellCount];
            var sortedHost = new int[total];
            var hostCount = new int[nf];
            var hostError = new float[nf];
            var hostVelocity = new float[3 * nf];
            var hostAcceleration = new float[3 * nf];
            var hostDensity = new float[nf];
            var frames = new List<float[]>();
            var times = new List<double>();
            var energy = new List<double>();
            var front = new List<double>();
            var steps = new List<double>();
            var densityIterations = new List<int>();
            var densityErrors = new List<double>();
            var divergenceIterations = new List<int>();
            var divergenceErrors = new List<double>();
            var maxRatio = 0.0;

            // The mean error over all fluid particles, summed on the host in particle order: a fixed order, so the
            // iteration counts, and with them the trajectory, are reproducible bit for bit.
            double MeanError()
            {
                error.View.CopyToCPU(hostError);
                double sum = 0;
                for (var i = 0; i < nf; i++) sum += hostError[i];
                return sum / nf;
            }

            (int Iterations, double Error) Solve(Action<Index1D, DfsphKernels.Views, DfsphKernels.Parameters> errorKernel, MemoryBuffer1D<float, Stride1D.Dense> running,
                float warm, int minIterations, double tolerance, double errorScale)
            {
                warmKernel(nf, views, running.View, warm);
                applyKernel(nf, views, running.View, p);
                errorKernel(nf, views, p);
                accelerator.Synchronize();
                var mean = MeanError() * errorScale;
                var iterations = 0;
                while ((mean > tolerance || iterations < minIterations) && iterations < scene.MaxIterations)
                {
                    applyKernel(nf, views, running.View, p);
                    errorKernel(nf, views, p);
                    accelerator.Synchronize();
                    mean = MeanError() * errorScale;
                    iterations++;
                }
                return (iterations, mean);
            }

            void Record(double time)
            {
                velocities.View.CopyToCPU(hostVelocity);
                density.View.CopyToCPU(hostDensity);
                var frame = new float[nf * dims];
                double kinetic = 0, potential = 0, frontX = double.MinValue;
                for (var i = 0; i < nf; i++)
                {
                    for (var d = 0; d < dims; d++) frame[i * dims + d] = hostPositions[3 * i + d] - offset;
                    kinetic += 0.5 * mass * (hostVelocity[3 * i] * hostVelocity[3 * i] + hostVelocity[3 * i + 1] * hostVelocity[3 * i + 1] + hostVelocity[3 * i + 2] * hostVelocity[3 * i + 2]);
                    potential += mass * scene.Gravity * (hostPositions[3 * i + 1] - offset);
                    frontX = Math.Max(frontX, hostPositions[3 * i] - offset);
                    maxRatio = Math.Max(maxRatio, hostDensity[i]);
                }
                frames.Add(frame);
                times.Add(time);
                // Incompressible: no elastic energy is stored, so kinetic plus gravitational is the whole of it.
                energy.Add(kinetic + potential);
                front.Add(frontX);
            }

            var interval = scene.FrameInterval;
            var lastFrame = Math.Max(1, (int)Math.Ceiling(scene.Duration / interval - 1e-9));
            var maxStep = scene.DfsphMaxStep;
            var frameIndex = 0;
            var time = 0.0;
            var previousDt = maxStep;
            var atFrame = true;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            double searchSeconds = 0, divergenceSeconds = 0, densitySeconds = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var lap = clock.Elapsed.TotalSeconds;
                SphSimulation.BuildCells(hostPositions, total, cells, cellOf, counts, startHost, endHost, sortedHost);
                starts.CopyFromCPU(startHost);
                ends.CopyFromCPU(endHost);
                order.CopyFromCPU(sortedHost);
                while (true)
                {
                    neighboursKernel(nf, views, p);
                    accelerator.Synchronize();
                    count.View.CopyToCPU(hostCount);
                    var most = hostCount.Max();
                    if (most <= p.Capacity) break;
                    // Eight times a lattice's neighbours only happens when particles have piled onto each other: the
                    // run has gone unstable, and widening the lists would only exhaust memory.
                    if (most > 8 * latticeNeighbours)
                        throw new Recipes.Plugins.PluginException($"DFSPH went unstable at t = {time:G4} s: a particle has {most} neighbours within 2h (a lattice has {latticeNeighbours}); lower cfl or dt, or raise artificial_viscosity");
                    // A compressed region has more neighbours than the lists hold: widen them and search again.
                    p.Capacity = most + most / 4;
                    neighbour.Dispose();
                    gradient.Dispose();
                    neighbour = accelerator.Allocate1D<int>((long)nf * p.Capacity);
                    gradient = accelerator.Allocate1D<float>(3L * nf * p.Capacity);
                    views = Views();
                }

                searchSeconds += clock.Elapsed.TotalSeconds - lap;
                lap = clock.Elapsed.TotalSeconds;
                p.Dt = (float)previousDt;
                var divergence = Solve(divergenceKernel, divergenceStiffness, WarmStart, 1, scene.DivergenceTolerance, previousDt);
                divergenceSeconds += clock.Elapsed.TotalSeconds - lap;

                if (atFrame)
                {
                    Record(frameIndex * interval);
                    if (frameIndex == lastFrame) break;
                }
                divergenceIterations.Add(divergence.Iterations);
                divergenceErrors.Add(divergence.Error);

                nonPressureKernel(nf, views, p);
                accelerator.Synchronize();
                velocities.View.CopyToCPU(hostVelocity);
                acceleration.View.CopyToCPU(hostAcceleration);
                double fastest2 = 0;
                for (var i = 0; i < 3 * nf; i += 3)
                {
                    var u = hostVelocity[i] + previousDt * hostAcceleration[i];
                    var v = hostVelocity[i + 1] + previousDt * hostAcceleration[i + 1];
                    var w = hostVelocity[i + 2] + previousDt * hostAcceleration[i + 2];
                    fastest2 = Math.Max(fastest2, u * u + v * v + w * w);
                }
                var dt = fastest2 > 0 ? scene.Cfl * dx / Math.Sqrt(fastest2) : maxStep;
                dt = Math.Clamp(dt, scene.MinTimeStep, maxStep);
                // Equal steps that land on the next frame time, so frames stay a fixed interval apart.
                var nextFrame = (frameIndex + 1) * interval;
                var remaining = nextFrame - time;
                var parts = Math.Max(1, (int)Math.Ceiling(remaining / dt - 1e-6));
                dt = remaining / parts;
                atFrame = parts == 1;
                p.Dt = (float)dt;

                kickKernel(nf, views, p);
                lap = clock.Elapsed.TotalSeconds;
                var densitySolve = Solve(densityKernel, densityStiffness, WarmStart, 2, scene.DensityTolerance, 1);
                densitySeconds += clock.Elapsed.TotalSeconds - lap;
                densityIterations.Add(densitySolve.Iterations);
                densityErrors.Add(densitySolve.Error);
                driftKernel(nf, views, p);
                accelerator.Synchronize();
                position.View.AsContiguous().SubView(0, 3 * nf).CopyToCPU(hostPositions.AsSpan(0, 3 * nf));
                steps.Add(dt);
                previousDt = dt;
                if (atFrame)
                {
                    frameIndex++;
                    time = frameIndex * interval;
                }
                else
                {
                    time += dt;
                }
                if (steps.Count % 16 == 0) progress?.Report(time / (lastFrame * interval));
            }
            var statistics = new DfsphStatistics(steps.ToArray(), densityIterations.ToArray(), densityErrors.ToArray(), divergenceIterations.ToArray(),
                divergenceErrors.ToArray(), scene.DensityTolerance, scene.DivergenceTolerance, scene.MaxIterations, p.Capacity)
            {
                SearchSeconds = searchSeconds,
                DivergenceSeconds = divergenceSeconds,
                DensitySeconds = densitySeconds,
                TotalSeconds = clock.Elapsed.TotalSeconds,
            };
            return new SphResult(nf, nw, steps.Count, steps.Count > 0 ? steps.Average() : 0, interval, frames.ToArray(), times.ToArray(), energy.ToArray(),
                front.ToArray(), mass * nf, maxRatio) { Dfsph = statistics };
        }
        finally
        {
            neighbour.Dispose();
            gradient.Dispose();
        }
    }
}
