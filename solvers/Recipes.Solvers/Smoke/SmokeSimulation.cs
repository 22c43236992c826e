using ILGPU;
using ILGPU.Runtime;
using Recipes.Plugins;

namespace Recipes.Solvers.Smoke;

/// <summary>
/// Stable fluids ("Stable Fluids", Stam 1999) on a MAC grid: each step adds the source, applies body forces,
/// advects velocity, density and temperature semi-Lagrangianly (midpoint backtrace, bilinear sampling), then projects
/// the velocity to be divergence-free by solving the pressure Poisson equation with Jacobi-preconditioned conjugate
/// gradients until the divergence's max-norm has fallen below <see cref="SmokeScene.Tolerance"/> of its value before.
/// </summary>
public sealed class SmokeSimulation(SmokeScene scene)
{
    /// <summary>Reductions sum this many fixed chunks, then the host adds them in order: the same bits on any device.</summary>
    private const int Chunks = 32;

    public SmokeResult Run(Accelerator accelerator, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var n = scene.Size;
        var cells = n * n;
        var faces = (n + 1) * n;
        var h = 1.0f / n;
        var p = new SmokeKernels.Parameters
        {
            N = n,
            H = h,
            Dt = (float)scene.Dt,
            OpenTop = scene.OpenTop ? 1 : 0,
            Buoyancy = (float)scene.Buoyancy,
            Weight = (float)scene.Weight,
            WindX = (float)scene.WindX,
            WindY = (float)scene.WindY,
            Vorticity = (float)scene.Vorticity,
            SourceX = (float)scene.SourceX,
            SourceY = (float)scene.SourceY,
            SourceRadius = (float)scene.SourceRadius,
            SourceDensity = (float)scene.SourceDensity,
            SourceTemperature = (float)scene.SourceTemperature,
        };
        var (initialDensity, initialTemperature) = Initial(n);
        var (fieldX, fieldY) = ForceField(n);
        var inverseDiagonal = new float[cells];
        for (var c = 0; c < cells; c++)
        {
            var (i, j) = (c % n, c / n);
            var neighbours = (i > 0 ? 1 : 0) + (i < n - 1 ? 1 : 0) + (j > 0 ? 1 : 0) + (j < n - 1 || scene.OpenTop ? 1 : 0);
            inverseDiagonal[c] = h * h / neighbours;
        }

        using var u = accelerator.Allocate1D(new float[faces]);
        using var v = accelerator.Allocate1D(new float[faces]);
        using var uNext = accelerator.Allocate1D(new float[faces]);
        using var vNext = accelerator.Allocate1D(new float[faces]);
        using var density = accelerator.Allocate1D(initialDensity);
        using var temperature = accelerator.Allocate1D(initialTemperature);
        using var densityNext = accelerator.Allocate1D(new float[cells]);
        using var temperatureNext = accelerator.Allocate1D(new float[cells]);
        using var noise = accelerator.Allocate1D(SourceNoise(cells));
        using var forceFieldX = accelerator.Allocate1D(fieldX);
        using var forceFieldY = accelerator.Allocate1D(fieldY);
        using var curl = accelerator.Allocate1D(new float[cells]);
        using var forceX = accelerator.Allocate1D(new float[cells]);
        using var forceY = accelerator.Allocate1D(new float[cells]);
        using var divergence = accelerator.Allocate1D(new float[cells]);
        using var psi = accelerator.Allocate1D(new float[cells]);
        using var residual = accelerator.Allocate1D(new float[cells]);
        using var preconditioned = accelerator.Allocate1D(new float[cells]);
        using var direction = accelerator.Allocate1D(new float[cells]);
        using var product = accelerator.Allocate1D(new float[cells]);
        using var inverse = accelerator.Allocate1D(inverseDiagonal);
        using var partial = accelerator.Allocate1D(new double[Chunks]);

        var advectU = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.AdvectU);
        var advectV = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.AdvectV);
        var advectScalar = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, SmokeKernels.Parameters>(SmokeKernels.AdvectScalar);
        var source = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.Source);
        var curlKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.Curl);
        var cellForces = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.CellForces);
        var applyU = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.ApplyForceU);
        var applyV = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.ApplyForceV);
        var divergenceKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.Divergence);
        var laplacian = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.Laplacian);
        var dotPartial = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<double>, int, int>(SmokeKernels.DotPartial);
        var maxPartial = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>, int, int>(SmokeKernels.MaxAbsPartial);
        var cgUpdate = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(SmokeKernels.CgUpdate);
        var precondition = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(SmokeKernels.Precondition);
        var cgDirection = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(SmokeKernels.CgDirection);
        var addGradientU = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.AddGradientU);
        var addGradientV = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, SmokeKernels.Parameters>(SmokeKernels.AddGradientV);
        var copy = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(SmokeKernels.Copy);

        var chunkSize = (cells + Chunks - 1) / Chunks;
        double Reduce(bool max)
        {
            var values = partial.GetAsArray1D();
            var result = 0.0;
            foreach (var value in values) result = max ? Math.Max(result, value) : result + value;
            return result;
        }
        double Dot(ArrayView<float> a, ArrayView<float> b)
        {
            dotPartial(Chunks, a, b, partial.View, cells, chunkSize);
            return Reduce(max: false);
        }
        double MaxAbs(ArrayView<float> a)
        {
            maxPartial(Chunks, a, partial.View, cells, chunkSize);
            return Reduce(max: true);
        }

        var (uCurrent, uSpare, vCurrent, vSpare) = (u, uNext, v, vNext);
        var (dCurrent, dSpare, tCurrent, tSpare) = (density, densityNext, temperature, temperatureNext);
        var worstRelative = 0.0;
        var worstAbsolute = 0.0;
        var mostIterations = 0;
        long totalIterations = 0;
        var projections = 0;

        using var stats = accelerator.Allocate1D(new double[2]);
        var solvePressure = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<double>, float, int, SmokeKernels.Parameters>(SmokeKernels.SolvePressure);
        var residualKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(SmokeKernels.Residual);
        // A CPU accelerator pays more per launch than a pass over the grid costs: it runs the whole solve in one thread.
        var wholeSolve = accelerator.AcceleratorType == AcceleratorType.CPU;

        // The pressure of the last step is the starting guess of the next (psi is never reset): fewer CG iterations.
        int SolveOnDevice(double before)
        {
            if (!scene.OpenTop)
            {
                // A closed box makes A singular (constants): the right-hand side must sum to zero, and rounding may leave a bit.
                var host = divergence.GetAsArray1D();
                var mean = (float)(host.Sum(x => (double)x) / cells);
                for (var c = 0; c < cells; c++) host[c] -= mean;
                divergence.View.CopyFromCPU(host);
            }
            laplacian(cells, psi.View, product.View, p);
            residualKernel(cells, divergence.View, product.View, residual.View);
            if (MaxAbs(residual.View) <= scene.Tolerance * before) return 0;
            precondition(cells, residual.View, inverse.View, preconditioned.View);
            copy(cells, preconditioned.View, direction.View);
            var rz = Dot(residual.View, preconditioned.View);
            for (var iteration = 1; iteration <= scene.MaxIterations; iteration++)
            {
                laplacian(cells, direction.View, product.View, p);
                var alpha = rz / Dot(direction.View, product.View);
                cgUpdate(cells, psi.View, residual.View, direction.View, product.View, (float)alpha);
                if (MaxAbs(residual.View) <= scene.Tolerance * before)
                {
                    // The recurrence drifts from b − Aψ in float: confirm with the true residual, and restart from it if short.
                    laplacian(cells, psi.View, product.View, p);
                    residualKernel(cells, divergence.View, product.View, residual.View);
                    if (MaxAbs(residual.View) <= scene.Tolerance * before) return iteration;
                    precondition(cells, residual.View, inverse.View, preconditioned.View);
                    copy(cells, preconditioned.View, direction.View);
                    rz = Dot(residual.View, preconditioned.View);
                    continue;
                }
                precondition(cells, residual.View, inverse.View, preconditioned.View);
                var next = Dot(residual.View, preconditioned.View);
                cgDirection(cells, preconditioned.View, direction.View, (float)(next / rz));
                rz = next;
            }
            return -1;
        }

        void Project()
        {
            divergenceKernel(cells, uCurrent.View, vCurrent.View, divergence.View, p);
            int iterations;
            double before;
            if (wholeSolve)
            {
                solvePressure(1, divergence.View, psi.View, residual.View, preconditioned.View, direction.View, product.View, inverse.View, stats.View,
                    (float)scene.Tolerance, scene.MaxIterations, p);
                var figures = stats.GetAsArray1D();
                (iterations, before) = ((int)figures[0], figures[1]);
            }
            else
            {
                before = MaxAbs(divergence.View);
                iterations = before == 0 ? 0 : SolveOnDevice(before);
            }
            if (before == 0) return;
            if (iterations < 0)
                throw new PluginException($"the pressure solve did not reach {scene.Tolerance:E1} of the divergence in {scene.MaxIterations} CG iterations; raise max_iterations or the tolerance");
            addGradientU(faces, uCurrent.View, psi.View, p);
            addGradientV(faces, vCurrent.View, psi.View, p);
            divergenceKernel(cells, uCurrent.View, vCurrent.View, divergence.View, p);
            var after = MaxAbs(divergence.View);
            worstRelative = Math.Max(worstRelative, after / before);
            worstAbsolute = Math.Max(worstAbsolute, after);
            mostIterations = Math.Max(mostIterations, iterations);
            totalIterations += iterations;
            projections++;
        }

        var sumPartial = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>, int, int>(SmokeKernels.SumPartial);
        var topOutflow = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<double>, SmokeKernels.Parameters>(SmokeKernels.TopOutflow);
        var scale = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(SmokeKernels.Scale);
        double Sum(ArrayView<float> a)
        {
            sumPartial(Chunks, a, partial.View, cells, chunkSize);
            return Reduce(max: false);
        }

        // Semi-Lagrangian advection conserves mass only up to its interpolation error (a few per cent per second on
        // coarse grids); with ConserveMass the advected density is rescaled to the mass before minus what left through
        // an open top (upwind flux), which makes the scheme conservative without changing where the smoke goes.
        void RestoreMass(ArrayView<float> before, ArrayView<float> after, ArrayView<float> velocityV)
        {
            var massBefore = Sum(before);
            topOutflow(1, velocityV, before, partial.View, p);
            var outflow = partial.GetAsArray1D()[0] / (h * h);
            var massAfter = Sum(after);
            if (massAfter > 0 && massBefore > 0) scale(cells, after, (float)(Math.Max(0, massBefore - outflow) / massAfter));
        }

        var frames = new List<float[]>();
        var mass = new List<double>();
        var recorded = scene.Frames.Distinct().Order().ToList();
        void Record()
        {
            var field = dCurrent.GetAsArray1D();
            frames.Add(field);
            mass.Add(field.Sum(x => (double)x) * h * h);
        }

        var densityDecay = (float)Math.Max(0, 1 - scene.Dissipation * scene.Dt);
        var temperatureDecay = (float)Math.Max(0, 1 - scene.Cooling * scene.Dt);
        var hasSource = scene.SourceRadius > 0 && (scene.SourceDensity > 0 || scene.SourceTemperature > 0);
        if (recorded.Contains(0)) Record();
        for (var step = 1; step <= scene.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (hasSource) source(cells, dCurrent.View, tCurrent.View, noise.View, p);
            if (scene.Vorticity > 0) curlKernel(cells, uCurrent.View, vCurrent.View, curl.View, p);
            cellForces(cells, dCurrent.View, tCurrent.View, curl.View, forceFieldX.View, forceFieldY.View, forceX.View, forceY.View, p);
            applyU(faces, uCurrent.View, forceX.View, p);
            applyV(faces, vCurrent.View, forceY.View, p);
            advectU(faces, uCurrent.View, vCurrent.View, uSpare.View, p);
            advectV(faces, uCurrent.View, vCurrent.View, vSpare.View, p);
            advectScalar(cells, dCurrent.View, uCurrent.View, vCurrent.View, dSpare.View, 1f, p);
            if (scene.ConserveMass) RestoreMass(dCurrent.View, dSpare.View, vCurrent.View);
            if (densityDecay != 1f) scale(cells, dSpare.View, densityDecay);
            advectScalar(cells, tCurrent.View, uCurrent.View, vCurrent.View, tSpare.View, temperatureDecay, p);
            (uCurrent, uSpare, vCurrent, vSpare) = (uSpare, uCurrent, vSpare, vCurrent);
            (dCurrent, dSpare, tCurrent, tSpare) = (dSpare, dCurrent, tSpare, tCurrent);
            Project();
            if (recorded.Contains(step)) Record();
            if (step % 10 == 0) progress?.Report((double)step / scene.Steps);
        }
        accelerator.Synchronize();
        return new SmokeResult(n, recorded, frames, mass, uCurrent.GetAsArray1D(), vCurrent.GetAsArray1D(), tCurrent.GetAsArray1D(),
            worstRelative, worstAbsolute, mostIterations, projections == 0 ? 0 : (double)totalIterations / projections);
    }

    private (float[] Density, float[] Temperature) Initial(int n)
    {
        var density = new float[n * n];
        var temperature = new float[n * n];
        if (scene.Blob is { Length: 5 } blob)
        {
            for (var c = 0; c < n * n; c++)
            {
                var dx = (c % n + 0.5) / n - blob[0];
                var dy = (c / n + 0.5) / n - blob[1];
                if (dx * dx + dy * dy > blob[2] * blob[2]) continue;
                density[c] = (float)blob[3];
                temperature[c] = (float)blob[4];
            }
        }
        return (density, temperature);
    }

    /// <summary>The source's per-cell strength in [0.6, 1], drawn from the source seed.</summary>
    private float[] SourceNoise(int cells)
    {
        var drawn = SmokeDraws.SourceNoise(scene.SourceSeed, cells);
        var noise = new float[cells];
        for (var c = 0; c < cells; c++) noise[c] = (float)drawn[c];
        return noise;
    }

    /// <summary>A smooth random force field from the force seed: four Fourier modes of wave numbers 1–3, unit RMS amplitude each.</summary>
    private (float[] X, float[] Y) ForceField(int n)
    {
        var x = new float[n * n];
        var y = new float[n * n];
        if (scene.ForceStrength == 0) return (x, y);
        foreach (var (kx, ky, phase, ax, ay) in SmokeDraws.ForceModes(scene.ForceSeed))
        {
            for (var c = 0; c < n * n; c++)
            {
                var angle = 2 * Math.PI * (kx * (c % n + 0.5) / n + ky * (c / n + 0.5) / n) + phase;
                x[c] += (float)(scene.ForceStrength * ax * Math.Sin(angle));
                y[c] += (float)(scene.ForceStrength * ay * Math.Cos(angle));
            }
        }
        return (x, y);
    }
}
