using System.Runtime.InteropServices;
using ILGPU;

namespace Recipes.Solvers.Sph;

/// <summary>
/// The hot <see cref="DfsphKernels"/> (neighbour lists, the two error kernels, the pressure update, the non-pressure
/// forces) for CPU
/// accelerators, over spans of the same device memory. An ArrayView element access costs about 3 ns on the CPU
/// (ILGPU resolves the buffer's pointer on every access) against 0.5 ns for a span, and the solves make a few hundred
/// million of them per step of the 3D cube. The arithmetic is <see cref="DfsphKernels"/>' own, operation for operation,
/// so both give the same bits (a test compares them); keep the two in step.
/// </summary>
internal static class DfsphCpuKernels
{
    private static float W(float r, float h, float norm) => Wendland.W(r, h, norm);

    private static float DW(float r, float h, float norm) => Wendland.DW(r, h, norm);

    private static int CellOf(float x, float cell, int count) => Wendland.CellOf(x, cell, count);

    private static Span<T> Span<T>(ArrayView<T> view) where T : unmanaged =>
        view.Length == 0 ? [] : MemoryMarshal.CreateSpan(ref view[0], checked((int)view.Length));




    public static void Neighbours(int from, int to, DfsphKernels.Views v, DfsphKernels.Parameters p)
    {
        var position = Span(v.Position);
        var wallVolume = Span(v.WallVolume);
        var neighbour = Span(v.Neighbour);
        var gradient = Span(v.Gradient);
        var cellStart = Span(v.CellStart);
        var cellEnd = Span(v.CellEnd);
        var sorted = Span(v.Sorted);
        var countOut = Span(v.Count);
        var densityOut = Span(v.Density);
        var factorOut = Span(v.Factor);
        var support2 = 4f * p.H * p.H;
        for (var i = from; i < to; i++)
        {
            var xi = position[3 * i];
            var yi = position[3 * i + 1];
            var zi = position[3 * i + 2];
            var cx = CellOf(xi, p.Cell, p.CellsX);
            var cy = CellOf(yi, p.Cell, p.CellsY);
            var cz = p.Dimensions == 3 ? CellOf(zi, p.Cell, p.CellsZ) : 0;
            var rho = p.Volume * W(0f, p.H, p.KernelNorm);
            float gx = 0f, gy = 0f, gz = 0f, squares = 0f;
            var count = 0;
            var row = i * p.Capacity;
            for (var dz = p.Dimensions == 3 ? -1 : 0; dz <= (p.Dimensions == 3 ? 1 : 0); dz++)
                for (var dy = -1; dy <= 1; dy++)
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var x = cx + dx;
                        var y = cy + dy;
                        var z = cz + dz;
                        if (x < 0 || y < 0 || z < 0 || x >= p.CellsX || y >= p.CellsY || z >= p.CellsZ) continue;
                        var c = (z * p.CellsY + y) * p.CellsX + x;
                        for (var k = cellStart[c]; k < cellEnd[c]; k++)
                        {
                            var j = sorted[k];
                            if (j == i) continue;
                            var rx = xi - position[3 * j];
                            var ry = yi - position[3 * j + 1];
                            var rz = zi - position[3 * j + 2];
                            var r2 = rx * rx + ry * ry + rz * rz;
                            if (r2 >= support2 || r2 == 0f) continue;
                            var r = (float)Math.Sqrt(r2);
                            var volume = j < p.Fluid ? p.Volume : wallVolume[j - p.Fluid];
                            rho += volume * W(r, p.H, p.KernelNorm);
                            var f = volume * DW(r, p.H, p.KernelNorm) / r;
                            var ax = f * rx;
                            var ay = f * ry;
                            var az = f * rz;
                            if (count < p.Capacity)
                            {
                                neighbour[row + count] = j;
                                gradient[3 * (row + count)] = ax;
                                gradient[3 * (row + count) + 1] = ay;
                                gradient[3 * (row + count) + 2] = az;
                            }
                            count++;
                            gx += ax;
                            gy += ay;
                            gz += az;
                            if (j < p.Fluid) squares += ax * ax + ay * ay + az * az;
                        }
                    }
            countOut[i] = count;
            densityOut[i] = rho;
            var denominator = gx * gx + gy * gy + gz * gz + squares;
            factorOut[i] = denominator > 1e-6f ? 1f / denominator : 0f;
        }
    }

    private static float DensityRate(int i, ReadOnlySpan<float> velocity, ReadOnlySpan<int> neighbour, ReadOnlySpan<float> gradient, int count, DfsphKernels.Parameters p)
    {
        var ui = velocity[3 * i];
        var vi = velocity[3 * i + 1];
        var wi = velocity[3 * i + 2];
        var row = i * p.Capacity;
        var rate = 0f;
        for (var k = 0; k < count; k++)
        {
            var j = neighbour[row + k];
            var g = 3 * (row + k);
            float du = ui, dv = vi, dw = wi;
            if (j < p.Fluid)
            {
                du -= velocity[3 * j];
                dv -= velocity[3 * j + 1];
                dw -= velocity[3 * j + 2];
            }
            rate += gradient[g] * du + gradient[g + 1] * dv + gradient[g + 2] * dw;
        }
        return rate;
    }

    public static void DivergenceError(int from, int to, DfsphKernels.Views v, DfsphKernels.Parameters p)
    {
        var velocity = Span(v.Velocity);
        var neighbour = Span(v.Neighbour);
        var gradient = Span(v.Gradient);
        var counts = Span(v.Count);
        var factor = Span(v.Factor);
        var error = Span(v.Error);
        var stiffness = Span(v.Stiffness);
        for (var i = from; i < to; i++)
        {
            var e = counts[i] < p.MinNeighbours ? 0f : DensityRate(i, velocity, neighbour, gradient, counts[i], p);
            if (e < 0f) e = 0f;
            error[i] = e;
            stiffness[i] = e * factor[i] / p.Dt;
        }
    }

    public static void DensityError(int from, int to, DfsphKernels.Views v, DfsphKernels.Parameters p)
    {
        var velocity = Span(v.Velocity);
        var neighbour = Span(v.Neighbour);
        var gradient = Span(v.Gradient);
        var counts = Span(v.Count);
        var density = Span(v.Density);
        var factor = Span(v.Factor);
        var error = Span(v.Error);
        var stiffness = Span(v.Stiffness);
        for (var i = from; i < to; i++)
        {
            var e = density[i] + p.Dt * DensityRate(i, velocity, neighbour, gradient, counts[i], p) - 1f;
            if (e < 0f) e = 0f;
            error[i] = e;
            stiffness[i] = e * factor[i] / (p.Dt * p.Dt);
        }
    }

    public static void Apply(int from, int to, DfsphKernels.Views v, ArrayView<float> totalView, DfsphKernels.Parameters p)
    {
        var velocity = Span(v.Velocity);
        var neighbour = Span(v.Neighbour);
        var gradient = Span(v.Gradient);
        var counts = Span(v.Count);
        var stiffness = Span(v.Stiffness);
        var total = Span(totalView);
        for (var i = from; i < to; i++)
        {
            var ki = stiffness[i];
            var row = i * p.Capacity;
            var count = counts[i];
            float ax = 0f, ay = 0f, az = 0f;
            for (var k = 0; k < count; k++)
            {
                var j = neighbour[row + k];
                var g = 3 * (row + k);
                var s = j < p.Fluid ? ki + stiffness[j] : ki;
                ax += s * gradient[g];
                ay += s * gradient[g + 1];
                az += s * gradient[g + 2];
            }
            velocity[3 * i] -= p.Dt * ax;
            velocity[3 * i + 1] -= p.Dt * ay;
            if (p.Dimensions == 3) velocity[3 * i + 2] -= p.Dt * az;
            total[i] += ki;
        }
    }

    public static void NonPressure(int from, int to, DfsphKernels.Views v, DfsphKernels.Parameters p)
    {
        var position = Span(v.Position);
        var velocity = Span(v.Velocity);
        var density = Span(v.Density);
        var wallVolume = Span(v.WallVolume);
        var neighbour = Span(v.Neighbour);
        var counts = Span(v.Count);
        var acceleration = Span(v.Acceleration);
        for (var i = from; i < to; i++)
        {
            var xi = position[3 * i];
            var yi = position[3 * i + 1];
            var zi = position[3 * i + 2];
            var ui = velocity[3 * i];
            var vi = velocity[3 * i + 1];
            var wi = velocity[3 * i + 2];
            var rhoI = density[i];
            var eta2 = 0.01f * p.H * p.H;
            var row = i * p.Capacity;
            var count = counts[i];
            float ax = 0f, ay = -p.Gravity, az = 0f;
            for (var k = 0; k < count; k++)
            {
                var j = neighbour[row + k];
                var wall = j >= p.Fluid;
                var rx = xi - position[3 * j];
                var ry = yi - position[3 * j + 1];
                var rz = zi - position[3 * j + 2];
                var r2 = rx * rx + ry * ry + rz * rz;
                var r = (float)Math.Sqrt(r2);
                var gradient = DW(r, p.H, p.KernelNorm) / r;
                var volume = wall ? wallVolume[j - p.Fluid] : p.Volume;
                var rhoJ = wall ? 1f : density[j];
                var vx = ui - (wall ? 0f : velocity[3 * j]);
                var vy = vi - (wall ? 0f : velocity[3 * j + 1]);
                var vz = wi - (wall ? 0f : velocity[3 * j + 2]);
                var vr = vx * rx + vy * ry + vz * rz;
                var scalar = 0f;
                if (vr < 0f && p.Alpha > 0f)
                {
                    var mu = p.H * vr / (r2 + eta2);
                    scalar += volume * p.Alpha * p.SoundSpeed * mu / (0.5f * (rhoI + rhoJ));
                }
                ax += scalar * gradient * rx;
                ay += scalar * gradient * ry;
                az += scalar * gradient * rz;
                if (p.Nu > 0f)
                {
                    var laminar = volume * 2f * p.Nu * (rhoI + rhoJ) / (rhoI * rhoJ) * (r2 * gradient) / (r2 + eta2) * 0.5f;
                    ax += laminar * vx;
                    ay += laminar * vy;
                    az += laminar * vz;
                }
            }
            acceleration[3 * i] = ax;
            acceleration[3 * i + 1] = ay;
            acceleration[3 * i + 2] = p.Dimensions == 3 ? az : 0f;
        }
    }
}
