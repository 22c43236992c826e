using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;

namespace Recipes.Solvers.Heat2d;

/// <summary>
/// Red-black successive over-relaxation for the masked Laplace problem, as ILGPU kernels (CPU accelerator by default,
/// CUDA when chosen). With ω = 2/(1 + sin πh), the optimum for the Dirichlet square, the error shrinks by about
/// 1 − 2πh per iteration, so a 64² steady state takes a few hundred iterations — against a dense direct solve of 4096
/// unknowns that takes seconds.
/// </summary>
public static class SorSolver
{
    private const int CheckEvery = 8;

    private sealed record Kernels(
        Action<AcceleratorStream, Index1D, ArrayView<double>, ArrayView<byte>, int, int, double> Sweep,
        Action<AcceleratorStream, Index1D, ArrayView<double>, ArrayView<byte>, int, ArrayView<double>> Residual);

    private static readonly ConcurrentDictionary<Accelerator, Kernels> Loaded = new();

    /// <summary>One half-sweep: every free node of one colour moves towards the mean of its four neighbours.</summary>
    private static void SweepKernel(Index1D index, ArrayView<double> u, ArrayView<byte> held, int n, int color, double omega)
    {
        var i = index / n;
        var j = index - i * n;
        if (((i + j) & 1) != color || held[index] != 0) return;
        var mean = 0.25 * (u[index - 1] + u[index + 1] + u[index - n] + u[index + n]);
        u[index] += omega * (mean - u[index]);
    }

    /// <summary>|sum of neighbours − 4u| at free nodes, 0 at held ones.</summary>
    private static void ResidualKernel(Index1D index, ArrayView<double> u, ArrayView<byte> held, int n, ArrayView<double> residual)
    {
        if (held[index] != 0)
        {
            residual[index] = 0;
            return;
        }
        var r = u[index - 1] + u[index + 1] + u[index - n] + u[index + n] - 4 * u[index];
        residual[index] = r < 0 ? -r : r;
    }

    private static Kernels For(Accelerator accelerator) => Loaded.GetOrAdd(accelerator, a => new Kernels(
        a.LoadAutoGroupedKernel<Index1D, ArrayView<double>, ArrayView<byte>, int, int, double>(SweepKernel),
        a.LoadAutoGroupedKernel<Index1D, ArrayView<double>, ArrayView<byte>, int, ArrayView<double>>(ResidualKernel)));

    public static double OptimalOmega(int size) => 2.0 / (1.0 + Math.Sin(Math.PI / (size - 1)));

    public static HeatSolution Solve(HeatProblem problem, double tolerance = 1e-8, int maxIterations = 100_000, string device = "cpu", CancellationToken cancellationToken = default)
    {
        var accelerator = Gpu.Devices.For(device);
        var kernels = For(accelerator);
        var n = problem.Size;
        var count = n * n;
        var held = new byte[count];
        var start = new double[count];
        for (var k = 0; k < count; k++)
        {
            held[k] = problem.Held[k] ? (byte)1 : (byte)0;
            start[k] = problem.Values[k];
        }
        var omega = OptimalOmega(n);
        using var stream = accelerator.CreateStream();
        using var u = accelerator.Allocate1D(start);
        using var mask = accelerator.Allocate1D(held);
        using var residual = accelerator.Allocate1D<double>(count);
        var host = new double[count];
        var iterations = 0;
        var worst = double.PositiveInfinity;
        while (iterations < maxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var s = 0; s < CheckEvery; s++)
            {
                kernels.Sweep(stream, count, u.View, mask.View, n, 0, omega);
                kernels.Sweep(stream, count, u.View, mask.View, n, 1, omega);
            }
            iterations += CheckEvery;
            kernels.Residual(stream, count, u.View, mask.View, n, residual.View);
            stream.Synchronize();
            residual.View.CopyToCPU(stream, host);
            stream.Synchronize();
            worst = 0;
            foreach (var r in host) worst = Math.Max(worst, r);
            if (worst <= tolerance) break;
        }
        var field = new double[count];
        u.View.CopyToCPU(stream, field);
        stream.Synchronize();
        return new HeatSolution(field, iterations, worst, device);
    }
}
