using ILGPU;

namespace Recipes.Solvers.Sph;

/// <summary>
/// The per-particle kernels of divergence-free SPH (one thread per fluid particle). Densities are dimensionless
/// (ρ/ρ0) and each particle carries a volume, so the solver's numbers stay near one in single precision. A step builds
/// each particle's neighbour list once, with the volume-weighted kernel gradients V_j∇W_ij, and both pressure solves
/// iterate over those lists: every iteration is a few multiply-adds per pair instead of a cell search, a square root and
/// a kernel evaluation. Sums run over a neighbour list in cell order, so results are bitwise reproducible on the CPU.
/// </summary>
public static class DfsphKernels
{
    /// <summary>Constants shared by every kernel.</summary>
    public struct Parameters
    {
        public int Fluid;
        public int Dimensions;
        public int Capacity;
        public int MinNeighbours;
        public float H;
        public float KernelNorm;
        public float Volume;
        public float Gravity;
        public float Nu;
        public float Alpha;
        public float SoundSpeed;
        public float Dt;
        public float Cell;
        public int CellsX;
        public int CellsY;
        public int CellsZ;
        public float BoxX;
        public float BoxY;
        public float BoxZ;
        /// <summary>The box's lower corner in the shifted coordinates (the wall layers' width), on every axis.</summary>
        public float Lower;
    }

    /// <summary>The device arrays; neighbour lists have a fixed stride of <see cref="Parameters.Capacity"/> per particle.</summary>
    public struct Views
    {
        public ArrayView<float> Position;
        public ArrayView<float> Velocity;
        public ArrayView<float> Acceleration;
        public ArrayView<float> Density;
        public ArrayView<float> Factor;
        public ArrayView<float> Error;
        public ArrayView<float> Stiffness;
        public ArrayView<float> WallVolume;
        public ArrayView<int> Count;
        public ArrayView<int> Neighbour;
        public ArrayView<float> Gradient;
        public ArrayView<int> CellStart;
        public ArrayView<int> CellEnd;
        public ArrayView<int> Sorted;
    }

    public static float W(float r, Parameters p) => Wendland.W(r, p.H, p.KernelNorm);

    public static float DW(float r, Parameters p) => Wendland.DW(r, p.H, p.KernelNorm);

    private static int CellOf(float x, float cell, int count) => Wendland.CellOf(x, cell, count);


    /// <summary>
    /// Neighbour list, density ρ_i = Σ V_j W_ij (fluid and wall particles alike, each with its volume, as Akinci et al.
    /// 2012 treat boundary samples) and the DFSPH factor α_i = 1 / (|Σ_j V_j∇W_ij|² + Σ_fluid |V_j∇W_ij|²).
    /// </summary>
    public static void Neighbours(Index1D i, Views v, Parameters p)
    {
        var xi = v.Position[3 * i];
        var yi = v.Position[3 * i + 1];
        var zi = v.Position[3 * i + 2];
        var cx = CellOf(xi, p.Cell, p.CellsX);
        var cy = CellOf(yi, p.Cell, p.CellsY);
        var cz = p.Dimensions == 3 ? CellOf(zi, p.Cell, p.CellsZ) : 0;
        var support2 = 4f * p.H * p.H;
        var rho = p.Volume * W(0f, p);
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
                    for (var k = v.CellStart[c]; k < v.CellEnd[c]; k++)
                    {
                        var j = v.Sorted[k];
                        if (j == i) continue;
                        var rx = xi - v.Position[3 * j];
                        var ry = yi - v.Position[3 * j + 1];
                        var rz = zi - v.Position[3 * j + 2];
                        var r2 = rx * rx + ry * ry + rz * rz;
                        if (r2 >= support2 || r2 == 0f) continue;
                        var r = Sqrt(r2);
                        var volume = j < p.Fluid ? p.Volume : v.WallVolume[j - p.Fluid];
                        rho += volume * W(r, p);
                        var f = volume * DW(r, p) / r;
                        var ax = f * rx;
                        var ay = f * ry;
                        var az = f * rz;
                        if (count < p.Capacity)
                        {
                            v.Neighbour[row + count] = j;
                            v.Gradient[3 * (row + count)] = ax;
                            v.Gradient[3 * (row + count) + 1] = ay;
                            v.Gradient[3 * (row + count) + 2] = az;
                        }
                        count++;
                        gx += ax;
                        gy += ay;
                        gz += az;
                        if (j < p.Fluid) squares += ax * ax + ay * ay + az * az;
                    }
                }
        v.Count[i] = count;
        v.Density[i] = rho;
        var denominator = gx * gx + gy * gy + gz * gz + squares;
        v.Factor[i] = denominator > 1e-6f ? 1f / denominator : 0f;
    }

    /// <summary>Dρ_i/Dt = Σ_fluid V_j∇W_ij·(v_i − v_j) + Σ_wall V_b∇W_ib·v_i (walls rest).</summary>
    private static float DensityRate(Index1D i, Views v, Parameters p)
    {
        var ui = v.Velocity[3 * i];
        var vi = v.Velocity[3 * i + 1];
        var wi = v.Velocity[3 * i + 2];
        var row = i * p.Capacity;
        var count = v.Count[i];
        var rate = 0f;
        for (var k = 0; k < count; k++)
        {
            var j = v.Neighbour[row + k];
            var g = 3 * (row + k);
            float du = ui, dv = vi, dw = wi;
            if (j < p.Fluid)
            {
                du -= v.Velocity[3 * j];
                dv -= v.Velocity[3 * j + 1];
                dw -= v.Velocity[3 * j + 2];
            }
            rate += v.Gradient[g] * du + v.Gradient[g + 1] * dv + v.Gradient[g + 2] * dw;
        }
        return rate;
    }

    /// <summary>
    /// Divergence error e_i = max(Dρ_i/Dt, 0), and the stiffness increment κ_i = e_i α_i / dt that cancels it. Particles
    /// with too few neighbours (at the free surface) are left alone, as SPlisHSPlasH does: their density rate measures
    /// the missing neighbours, not a compression.
    /// </summary>
    public static void DivergenceError(Index1D i, Views v, Parameters p)
    {
        var e = v.Count[i] < p.MinNeighbours ? 0f : DensityRate(i, v, p);
        if (e < 0f) e = 0f;
        v.Error[i] = e;
        v.Stiffness[i] = e * v.Factor[i] / p.Dt;
    }

    /// <summary>
    /// Density error of the predicted state e_i = max(ρ_i + dt·Dρ_i/Dt − 1, 0) (expansion is the free surface, not an
    /// error), and the stiffness increment κ_i = e_i α_i / dt² that cancels it. Increments are never negative, as in
    /// SPlisHSPlasH: letting them go negative (so a particle's pressure could also be lowered) made the Jacobi-like
    /// iteration diverge in 3D with this kernel's 80 neighbours, even under-relaxed.
    /// </summary>
    public static void DensityError(Index1D i, Views v, Parameters p)
    {
        var e = v.Density[i] + p.Dt * DensityRate(i, v, p) - 1f;
        if (e < 0f) e = 0f;
        v.Error[i] = e;
        v.Stiffness[i] = e * v.Factor[i] / (p.Dt * p.Dt);
    }

    /// <summary>
    /// One pressure update: v_i −= dt·(Σ_fluid (κ_i + κ_j) V_j∇W_ij + Σ_wall κ_i V_b∇W_ib), the symmetric pressure force
    /// with the wall mirroring the particle's own pressure; κ_i is added to the running total, the next step's warm start.
    /// </summary>
    public static void Apply(Index1D i, Views v, ArrayView<float> total, Parameters p)
    {
        var ki = v.Stiffness[i];
        var row = i * p.Capacity;
        var count = v.Count[i];
        float ax = 0f, ay = 0f, az = 0f;
        for (var k = 0; k < count; k++)
        {
            var j = v.Neighbour[row + k];
            var g = 3 * (row + k);
            var s = j < p.Fluid ? ki + v.Stiffness[j] : ki;
            ax += s * v.Gradient[g];
            ay += s * v.Gradient[g + 1];
            az += s * v.Gradient[g + 2];
        }
        v.Velocity[3 * i] -= p.Dt * ax;
        v.Velocity[3 * i + 1] -= p.Dt * ay;
        if (p.Dimensions == 3) v.Velocity[3 * i + 2] -= p.Dt * az;
        total[i] += ki;
    }

    /// <summary>Warm start: the stiffness of the last step (times <paramref name="scale"/>) becomes this step's first increment.</summary>
    public static void WarmStart(Index1D i, Views v, ArrayView<float> total, float scale)
    {
        v.Stiffness[i] = scale * total[i];
        total[i] = 0f;
    }

    /// <summary>
    /// Non-pressure accelerations: gravity, Morris laminar viscosity and Monaghan's artificial viscosity with the same
    /// coefficients as the weakly compressible scheme (its sound speed only scales the artificial term here).
    /// </summary>
    public static void NonPressure(Index1D i, Views v, Parameters p)
    {
        var xi = v.Position[3 * i];
        var yi = v.Position[3 * i + 1];
        var zi = v.Position[3 * i + 2];
        var ui = v.Velocity[3 * i];
        var vi = v.Velocity[3 * i + 1];
        var wi = v.Velocity[3 * i + 2];
        var rhoI = v.Density[i];
        var eta2 = 0.01f * p.H * p.H;
        var row = i * p.Capacity;
        var count = v.Count[i];
        float ax = 0f, ay = -p.Gravity, az = 0f;
        for (var k = 0; k < count; k++)
        {
            var j = v.Neighbour[row + k];
            var wall = j >= p.Fluid;
            var rx = xi - v.Position[3 * j];
            var ry = yi - v.Position[3 * j + 1];
            var rz = zi - v.Position[3 * j + 2];
            var r2 = rx * rx + ry * ry + rz * rz;
            var r = Sqrt(r2);
            var gradient = DW(r, p) / r;
            var volume = wall ? v.WallVolume[j - p.Fluid] : p.Volume;
            var rhoJ = wall ? 1f : v.Density[j];
            var vx = ui - (wall ? 0f : v.Velocity[3 * j]);
            var vy = vi - (wall ? 0f : v.Velocity[3 * j + 1]);
            var vz = wi - (wall ? 0f : v.Velocity[3 * j + 2]);
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
        v.Acceleration[3 * i] = ax;
        v.Acceleration[3 * i + 1] = ay;
        v.Acceleration[3 * i + 2] = p.Dimensions == 3 ? az : 0f;
    }

    /// <summary>v* = v + dt·a_nonpressure.</summary>
    public static void Kick(Index1D i, Views v, Parameters p)
    {
        v.Velocity[3 * i] += p.Dt * v.Acceleration[3 * i];
        v.Velocity[3 * i + 1] += p.Dt * v.Acceleration[3 * i + 1];
        if (p.Dimensions == 3) v.Velocity[3 * i + 2] += p.Dt * v.Acceleration[3 * i + 2];
    }

    /// <summary>Drift with the density-corrected velocity; particles stay inside the box.</summary>
    public static void Drift(Index1D i, Views v, Parameters p)
    {
        for (var d = 0; d < 3; d++)
        {
            if (d == 2 && p.Dimensions == 2) continue;
            var velocity = v.Velocity[3 * i + d];
            var x = v.Position[3 * i + d] + p.Dt * velocity;
            var limit = d == 0 ? p.BoxX : d == 1 ? p.BoxY : p.BoxZ;
            if (x < p.Lower)
            {
                x = p.Lower;
                velocity = 0f;
            }
            else if (x > limit)
            {
                x = limit;
                velocity = 0f;
            }
            v.Velocity[3 * i + d] = velocity;
            v.Position[3 * i + d] = x;
        }
    }

    private static float Sqrt(float v) => (float)System.Math.Sqrt(v);
}
