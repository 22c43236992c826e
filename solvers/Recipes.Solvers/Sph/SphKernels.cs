using ILGPU;

namespace Recipes.Solvers.Sph;

/// <summary>
/// The per-particle SPH kernels (one thread per particle). Neighbours come from a cell list built on the host in
/// particle order, so every sum runs over neighbours in the same order each time: results are bitwise reproducible on
/// the CPU. Particles 0..fluid-1 are fluid, the rest are fixed wall particles.
/// </summary>
public static class SphKernels
{
    /// <summary>Constants shared by every kernel.</summary>
    public struct Parameters
    {
        public int Fluid;
        public int Dimensions;
        public float H;
        public float Mass;
        public float Rho0;
        public float B;
        public float SoundSpeed;
        public float Nu;
        public float Alpha;
        public float Gravity;
        public float Dt;
        public float Cell;
        public int CellsX;
        public int CellsY;
        public int CellsZ;
        public float KernelNorm;
        public float BoxX;
        public float BoxY;
        public float BoxZ;
        /// <summary>The box's lower corner in the shifted coordinates (the wall layers' width), on every axis.</summary>
        public float Lower;
        public float Delta;
    }

    /// <summary>Wendland C2, support radius 2h: W = α (1 − q/2)⁴ (2q + 1), q = r/h.</summary>
    public static float W(float r, Parameters p) => Wendland.W(r, p.H, p.KernelNorm);

    /// <summary>dW/dr = α/h · (−5q)(1 − q/2)³.</summary>
    public static float DW(float r, Parameters p) => Wendland.DW(r, p.H, p.KernelNorm);

    private static int CellOf(float x, float cell, int count) => Wendland.CellOf(x, cell, count);


    public static float Pressure(float rho, Parameters p)
    {
        var ratio = rho / p.Rho0;
        var r2 = ratio * ratio;
        var r7 = r2 * r2 * r2 * ratio;
        var pressure = p.B * (r7 - 1f);
        // Free-surface particles lack neighbours and read a low density; negative pressure would pull them back
        // into clumps (tensile instability), so pressure is clamped at zero.
        return pressure > 0f ? pressure : 0f;
    }

    /// <summary>Pressure of each fluid particle from its density (Tait's equation of state).</summary>
    public static void State(Index1D i, ArrayView<float> density, ArrayView<float> pressure, Parameters p) => pressure[i] = Pressure(density[i], p);

    /// <summary>
    /// Wall pressure extrapolated from the fluid (Adami, Hu and Adams 2012): p_w = (Σ p_f W + g·Σ ρ_f (x_w − x_f) W) / Σ W,
    /// and the wall density that pressure implies.
    /// </summary>
    public static void Walls(Index1D w, ArrayView<float> position, ArrayView<float> density, ArrayView<float> pressure,
        ArrayView<int> cellStart, ArrayView<int> cellEnd, ArrayView<int> sorted, Parameters p)
    {
        var i = w + p.Fluid;
        var xi = position[3 * i];
        var yi = position[3 * i + 1];
        var zi = position[3 * i + 2];
        var cx = CellOf(xi, p.Cell, p.CellsX);
        var cy = CellOf(yi, p.Cell, p.CellsY);
        var cz = p.Dimensions == 3 ? CellOf(zi, p.Cell, p.CellsZ) : 0;
        float sumW = 0f, sumP = 0f, sumRhoY = 0f;
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
                        if (j >= p.Fluid) continue;
                        var rx = xi - position[3 * j];
                        var ry = yi - position[3 * j + 1];
                        var rz = zi - position[3 * j + 2];
                        var weight = W(Sqrt(rx * rx + ry * ry + rz * rz), p);
                        sumW += weight;
                        sumP += pressure[j] * weight;
                        sumRhoY += density[j] * ry * weight;
                    }
                }
        // Gravity points along −y: g·(x_w − x_f) = −g·(y_w − y_f).
        var pw = sumW > 0f ? (sumP - p.Gravity * sumRhoY) / sumW : 0f;
        if (pw < 0f) pw = 0f;
        pressure[i] = pw;
        density[i] = p.Rho0 * Pow7th(pw / p.B + 1f);
    }

    /// <summary>
    /// Momentum (pressure gradient, Morris laminar viscosity, Monaghan artificial viscosity, gravity) and the density
    /// rate: the continuity equation plus the δ-SPH diffusive term of Molteni and Colagrossi (2009) between fluid
    /// particles, which damps the acoustic noise a weakly compressible fluid otherwise carries.
    /// </summary>
    public static void Forces(Index1D i, ArrayView<float> position, ArrayView<float> velocity, ArrayView<float> density, ArrayView<float> pressure,
        ArrayView<float> acceleration, ArrayView<float> densityRate, ArrayView<int> cellStart, ArrayView<int> cellEnd, ArrayView<int> sorted, Parameters p)
    {
        var xi = position[3 * i];
        var yi = position[3 * i + 1];
        var zi = position[3 * i + 2];
        var ui = velocity[3 * i];
        var vi = velocity[3 * i + 1];
        var wi = velocity[3 * i + 2];
        var rhoI = density[i];
        var pOverRho2 = pressure[i] / (rhoI * rhoI);
        var cx = CellOf(xi, p.Cell, p.CellsX);
        var cy = CellOf(yi, p.Cell, p.CellsY);
        var cz = p.Dimensions == 3 ? CellOf(zi, p.Cell, p.CellsZ) : 0;
        float ax = 0f, ay = -p.Gravity, az = 0f, rate = 0f;
        var eta2 = 0.01f * p.H * p.H;
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
                        if (r2 >= 4f * p.H * p.H || r2 == 0f) continue;
                        var r = Sqrt(r2);
                        var gradient = DW(r, p) / r;
                        var rhoJ = density[j];
                        var wall = j >= p.Fluid;
                        var uj = wall ? 0f : velocity[3 * j];
                        var vj = wall ? 0f : velocity[3 * j + 1];
                        var wj = wall ? 0f : velocity[3 * j + 2];
                        var vx = ui - uj;
                        var vy = vi - vj;
                        var vz = wi - wj;
                        var scalar = -p.Mass * (pOverRho2 + pressure[j] / (rhoJ * rhoJ));
                        var vr = vx * rx + vy * ry + vz * rz;
                        rate += p.Mass * vr * gradient;
                        if (!wall) rate += p.Delta * p.H * p.SoundSpeed * 2f * (rhoJ - rhoI) * (-r2 * gradient) / (r2 + eta2) * p.Mass / rhoJ;
                        if (vr < 0f && p.Alpha > 0f)
                        {
                            var mu = p.H * vr / (r2 + eta2);
                            scalar += p.Mass * p.Alpha * p.SoundSpeed * mu / (0.5f * (rhoI + rhoJ));
                        }
                        ax += scalar * gradient * rx;
                        ay += scalar * gradient * ry;
                        az += scalar * gradient * rz;
                        if (p.Nu > 0f)
                        {
                            var laminar = p.Mass * 2f * p.Nu * (rhoI + rhoJ) / (rhoI * rhoJ) * (r2 * gradient) / (r2 + eta2) * 0.5f;
                            ax += laminar * vx;
                            ay += laminar * vy;
                            az += laminar * vz;
                        }
                    }
                }
        acceleration[3 * i] = ax;
        acceleration[3 * i + 1] = ay;
        acceleration[3 * i + 2] = p.Dimensions == 3 ? az : 0f;
        densityRate[i] = rate;
    }

    /// <summary>Symplectic Euler: kick, then drift with the new velocity, and the density step; particles stay inside the box.</summary>
    public static void Integrate(Index1D i, ArrayView<float> position, ArrayView<float> velocity, ArrayView<float> acceleration,
        ArrayView<float> density, ArrayView<float> densityRate, Parameters p)
    {
        density[i] += p.Dt * densityRate[i];
        for (var d = 0; d < 3; d++)
        {
            if (d == 2 && p.Dimensions == 2) continue;
            var v = velocity[3 * i + d] + p.Dt * acceleration[3 * i + d];
            var x = position[3 * i + d] + p.Dt * v;
            var limit = d == 0 ? p.BoxX : d == 1 ? p.BoxY : p.BoxZ;
            if (x < p.Lower)
            {
                x = p.Lower;
                v = 0f;
            }
            else if (x > limit)
            {
                x = limit;
                v = 0f;
            }
            velocity[3 * i + d] = v;
            position[3 * i + d] = x;
        }
    }

    private static float Sqrt(float v) => (float)System.Math.Sqrt(v);

    /// <summary>x^(1/7) for x ≥ 0.</summary>
    private static float Pow7th(float x) => x <= 0f ? 0f : (float)System.Math.Exp(System.Math.Log(x) / 7.0);
}
