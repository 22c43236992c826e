using ILGPU;

namespace Recipes.Solvers.Smoke;

/// <summary>
/// The ILGPU kernels of the smoke solver on a staggered (MAC) grid of N×N cells of side h over [0,1]²: u on the
/// vertical faces ((N+1)×N, u[j(N+1)+i] at (ih, (j+½)h)), v on the horizontal faces (N×(N+1), v[jN+i] at
/// ((i+½)h, jh)), scalars at the cell centres. Walls on the left, right and bottom (zero normal velocity); the top is
/// a wall or open (pressure 0 above it). Every kernel writes only its own element and reductions sum fixed chunks in
/// a fixed order, so results are identical however the accelerator schedules the work.
/// </summary>
public static class SmokeKernels
{
    public struct Parameters
    {
        public int N;
        public float H;
        public float Dt;
        public int OpenTop;
        public float Buoyancy;
        public float Weight;
        public float WindX;
        public float WindY;
        public float Vorticity;
        public float SourceX;
        public float SourceY;
        public float SourceRadius;
        public float SourceDensity;
        public float SourceTemperature;
    }

    private static float Clamp(float value, float low, float high) => value < low ? low : value > high ? high : value;

    private static float Bilinear(ArrayView<float> a, int width, int height, float fx, float fy)
    {
        fx = Clamp(fx, 0f, width - 1);
        fy = Clamp(fy, 0f, height - 1);
        var x0 = (int)fx;
        var y0 = (int)fy;
        var x1 = x0 + 1 < width ? x0 + 1 : x0;
        var y1 = y0 + 1 < height ? y0 + 1 : y0;
        var tx = fx - x0;
        var ty = fy - y0;
        var bottom = a[y0 * width + x0] * (1f - tx) + a[y0 * width + x1] * tx;
        var top = a[y1 * width + x0] * (1f - tx) + a[y1 * width + x1] * tx;
        return bottom * (1f - ty) + top * ty;
    }

    private static float SampleU(ArrayView<float> u, Parameters p, float x, float y) => Bilinear(u, p.N + 1, p.N, x / p.H, y / p.H - 0.5f);

    private static float SampleV(ArrayView<float> v, Parameters p, float x, float y) => Bilinear(v, p.N, p.N + 1, x / p.H - 0.5f, y / p.H);

    private static float SampleCell(ArrayView<float> c, Parameters p, float x, float y) => Bilinear(c, p.N, p.N, x / p.H - 0.5f, y / p.H - 0.5f);

    /// <summary>Semi-Lagrangian advection of u with a midpoint (RK2) backtrace.</summary>
    public static void AdvectU(Index1D index, ArrayView<float> u, ArrayView<float> v, ArrayView<float> result, Parameters p)
    {
        var n = p.N;
        var i = index % (n + 1);
        var j = index / (n + 1);
        if (i == 0 || i == n)
        {
            result[index] = 0f;
            return;
        }
        var x = i * p.H;
        var y = (j + 0.5f) * p.H;
        var vx = u[index];
        var vy = 0.25f * (v[j * n + i - 1] + v[j * n + i] + v[(j + 1) * n + i - 1] + v[(j + 1) * n + i]);
        var mx = x - 0.5f * p.Dt * vx;
        var my = y - 0.5f * p.Dt * vy;
        result[index] = SampleU(u, p, x - p.Dt * SampleU(u, p, mx, my), y - p.Dt * SampleV(v, p, mx, my));
    }

    /// <summary>Semi-Lagrangian advection of v; the bottom face is a wall, the top one a wall unless open.</summary>
    public static void AdvectV(Index1D index, ArrayView<float> u, ArrayView<float> v, ArrayView<float> result, Parameters p)
    {
        var n = p.N;
        var i = index % n;
        var j = index / n;
        if (j == 0 || (j == n && p.OpenTop == 0))
        {
            result[index] = 0f;
            return;
        }
        var x = (i + 0.5f) * p.H;
        var y = j * p.H;
        int below = j - 1;
        int above = j < n ? j : n - 1;
        var vx = 0.25f * (u[below * (n + 1) + i] + u[below * (n + 1) + i + 1] + u[above * (n + 1) + i] + u[above * (n + 1) + i + 1]);
        var vy = v[index];
        var mx = x - 0.5f * p.Dt * vx;
        var my = y - 0.5f * p.Dt * vy;
        result[index] = SampleV(v, p, x - p.Dt * SampleU(u, p, mx, my), y - p.Dt * SampleV(v, p, mx, my));
    }

    /// <summary>Semi-Lagrangian advection of a cell-centred scalar, then multiplied by <paramref name="decay"/>.</summary>
    public static void AdvectScalar(Index1D index, ArrayView<float> c, ArrayView<float> u, ArrayView<float> v, ArrayView<float> result, float decay, Parameters p)
    {
        var n = p.N;
        var i = index % n;
        var j = index / n;
        var x = (i + 0.5f) * p.H;
        var y = (j + 0.5f) * p.H;
        var vx = 0.5f * (u[j * (n + 1) + i] + u[j * (n + 1) + i + 1]);
        var vy = 0.5f * (v[j * n + i] + v[(j + 1) * n + i]);
        var mx = x - 0.5f * p.Dt * vx;
        var my = y - 0.5f * p.Dt * vy;
        result[index] = decay * SampleCell(c, p, x - p.Dt * SampleU(u, p, mx, my), y - p.Dt * SampleV(v, p, mx, my));
    }

    /// <summary>The source: a disk where density and temperature are raised to the source's values times a fixed noise.</summary>
    public static void Source(Index1D index, ArrayView<float> density, ArrayView<float> temperature, ArrayView<float> noise, Parameters p)
    {
        var n = p.N;
        var dx = (index % n + 0.5f) * p.H - p.SourceX;
        var dy = (index / n + 0.5f) * p.H - p.SourceY;
        if (dx * dx + dy * dy > p.SourceRadius * p.SourceRadius) return;
        var d = p.SourceDensity * noise[index];
        var t = p.SourceTemperature * noise[index];
        if (density[index] < d) density[index] = d;
        if (temperature[index] < t) temperature[index] = t;
    }

    private static float CellU(ArrayView<float> u, int n, int i, int j) => 0.5f * (u[j * (n + 1) + i] + u[j * (n + 1) + i + 1]);

    private static float CellV(ArrayView<float> v, int n, int i, int j) => 0.5f * (v[j * n + i] + v[(j + 1) * n + i]);

    /// <summary>Vorticity ω = ∂v/∂x − ∂u/∂y at cell centres (central differences, one-sided at the walls).</summary>
    public static void Curl(Index1D index, ArrayView<float> u, ArrayView<float> v, ArrayView<float> curl, Parameters p)
    {
        var n = p.N;
        var i = index % n;
        var j = index / n;
        var (il, ir) = (i > 0 ? i - 1 : i, i < n - 1 ? i + 1 : i);
        var (jb, jt) = (j > 0 ? j - 1 : j, j < n - 1 ? j + 1 : j);
        var dvdx = (CellV(v, n, ir, j) - CellV(v, n, il, j)) / ((ir - il) * p.H);
        var dudy = (CellU(u, n, i, jt) - CellU(u, n, i, jb)) / ((jt - jb) * p.H);
        curl[index] = dvdx - dudy;
    }

    /// <summary>
    /// Body force per cell: buoyancy (lift from temperature, weight from density), wind acting on the smoke (so a
    /// uniform wind is not a pure gradient the projection would remove), the sample's random force field, and
    /// vorticity confinement ε h (N × ω) with N the normalized gradient of |ω|.
    /// </summary>
    public static void CellForces(Index1D index, ArrayView<float> density, ArrayView<float> temperature, ArrayView<float> curl,
        ArrayView<float> fieldX, ArrayView<float> fieldY, ArrayView<float> forceX, ArrayView<float> forceY, Parameters p)
    {
        var n = p.N;
        var i = index % n;
        var j = index / n;
        var d = density[index];
        var fx = p.WindX * d + fieldX[index];
        var fy = p.WindY * d + fieldY[index] + p.Buoyancy * temperature[index] - p.Weight * d;
        if (p.Vorticity > 0f)
        {
            var (il, ir) = (i > 0 ? i - 1 : i, i < n - 1 ? i + 1 : i);
            var (jb, jt) = (j > 0 ? j - 1 : j, j < n - 1 ? j + 1 : j);
            var gx = (Abs(curl[j * n + ir]) - Abs(curl[j * n + il])) / ((ir - il) * p.H);
            var gy = (Abs(curl[jt * n + i]) - Abs(curl[jb * n + i])) / ((jt - jb) * p.H);
            var length = (float)System.Math.Sqrt(gx * gx + gy * gy) + 1e-5f;
            var w = curl[index];
            fx += p.Vorticity * p.H * (gy / length) * w;
            fy -= p.Vorticity * p.H * (gx / length) * w;
        }
        forceX[index] = fx;
        forceY[index] = fy;
    }

    private static float Abs(float value) => value < 0f ? -value : value;

    public static void ApplyForceU(Index1D index, ArrayView<float> u, ArrayView<float> forceX, Parameters p)
    {
        var n = p.N;
        var i = index % (n + 1);
        var j = index / (n + 1);
        if (i == 0 || i == n) return;
        u[index] += p.Dt * 0.5f * (forceX[j * n + i - 1] + forceX[j * n + i]);
    }

    public static void ApplyForceV(Index1D index, ArrayView<float> v, ArrayView<float> forceY, Parameters p)
    {
        var n = p.N;
        var i = index % n;
        var j = index / n;
        if (j == 0) return;
        if (j == n)
        {
            if (p.OpenTop != 0) v[index] += p.Dt * forceY[(n - 1) * n + i];
            return;
        }
        v[index] += p.Dt * 0.5f * (forceY[(j - 1) * n + i] + forceY[j * n + i]);
    }

    /// <summary>The discrete divergence of the face velocities per cell.</summary>
    public static void Divergence(Index1D index, ArrayView<float> u, ArrayView<float> v, ArrayView<float> divergence, Parameters p)
    {
        var n = p.N;
        var i = index % n;
        var j = index / n;
        divergence[index] = (u[j * (n + 1) + i + 1] - u[j * (n + 1) + i] + v[(j + 1) * n + i] - v[j * n + i]) / p.H;
    }

    /// <summary>
    /// y = A x with A = −D·G, the negated 5-point Laplacian of the projection: no flux through walls, and a ghost value
    /// of 0 above an open top. Symmetric positive (semi-)definite.
    /// </summary>
    public static void Laplacian(Index1D index, ArrayView<float> x, ArrayView<float> y, Parameters p) => y[index] = LaplacianAt(x, index, p);

    /// <summary>Partial sums of x over fixed chunks, in double precision.</summary>
    public static void SumPartial(Index1D chunk, ArrayView<float> x, ArrayView<double> partial, int count, int chunkSize)
    {
        var sum = 0.0;
        int first = chunk * chunkSize;
        var end = first + chunkSize < count ? first + chunkSize : count;
        for (var k = first; k < end; k++) sum += x[k];
        partial[chunk] = sum;
    }

    /// <summary>Partial sums of x·y over fixed chunks, in double precision; the host adds the partials in order.</summary>
    public static void DotPartial(Index1D chunk, ArrayView<float> x, ArrayView<float> y, ArrayView<double> partial, int count, int chunkSize)
    {
        var sum = 0.0;
        int first = chunk * chunkSize;
        var end = first + chunkSize < count ? first + chunkSize : count;
        for (var k = first; k < end; k++) sum += (double)x[k] * y[k];
        partial[chunk] = sum;
    }

    public static void MaxAbsPartial(Index1D chunk, ArrayView<float> x, ArrayView<double> partial, int count, int chunkSize)
    {
        var max = 0.0;
        int first = chunk * chunkSize;
        var end = first + chunkSize < count ? first + chunkSize : count;
        for (var k = first; k < end; k++)
        {
            var a = (double)Abs(x[k]);
            if (a > max) max = a;
        }
        partial[chunk] = max;
    }

    /// <summary>x += α p; r −= α Ap.</summary>
    public static void CgUpdate(Index1D index, ArrayView<float> x, ArrayView<float> r, ArrayView<float> direction, ArrayView<float> product, float alpha)
    {
        x[index] += alpha * direction[index];
        r[index] -= alpha * product[index];
    }

    /// <summary>z = r / diag(A) (Jacobi preconditioner).</summary>
    public static void Precondition(Index1D index, ArrayView<float> r, ArrayView<float> inverseDiagonal, ArrayView<float> z) => z[index] = r[index] * inverseDiagonal[index];

    /// <summary>p = z + β p.</summary>
    public static void CgDirection(Index1D index, ArrayView<float> z, ArrayView<float> direction, float beta) => direction[index] = z[index] + beta * direction[index];

    /// <summary>u += ∂ψ/∂x on interior faces (wall faces stay 0), where A ψ = ∇·u, which leaves ∇·u = residual.</summary>
    public static void AddGradientU(Index1D index, ArrayView<float> u, ArrayView<float> psi, Parameters p)
    {
        var n = p.N;
        var i = index % (n + 1);
        var j = index / (n + 1);
        if (i == 0 || i == n) return;
        u[index] += (psi[j * n + i] - psi[j * n + i - 1]) / p.H;
    }

    /// <summary>v += ∂ψ/∂y on interior faces, and on the top face against the ghost 0 when the top is open.</summary>
    public static void AddGradientV(Index1D index, ArrayView<float> v, ArrayView<float> psi, Parameters p)
    {
        var n = p.N;
        var i = index % n;
        var j = index / n;
        if (j == 0) return;
        if (j == n)
        {
            if (p.OpenTop != 0) v[index] += (0f - psi[(n - 1) * n + i]) / p.H;
            return;
        }
        v[index] += (psi[j * n + i] - psi[(j - 1) * n + i]) / p.H;
    }

    public static void Copy(Index1D index, ArrayView<float> from, ArrayView<float> to) => to[index] = from[index];

    /// <summary>r = b − y, the CG residual of a warm start.</summary>
    public static void Residual(Index1D index, ArrayView<float> b, ArrayView<float> y, ArrayView<float> r) => r[index] = b[index] - y[index];

    public static void Scale(Index1D index, ArrayView<float> target, float factor) => target[index] *= factor;

    private static float LaplacianAt(ArrayView<float> x, int index, Parameters p)
    {
        var n = p.N;
        var i = index % n;
        var j = index / n;
        var c = x[index];
        var sum = 0f;
        if (i > 0) sum += c - x[index - 1];
        if (i < n - 1) sum += c - x[index + 1];
        if (j > 0) sum += c - x[index - n];
        if (j < n - 1) sum += c - x[index + n];
        else if (p.OpenTop != 0) sum += c;
        return sum / (p.H * p.H);
    }

    /// <summary>
    /// The whole pressure solve in one kernel thread, for CPU accelerators, where a launch costs far more than a pass
    /// over a few thousand cells: Jacobi-preconditioned CG on A ψ = b from the warm start in ψ until max|r| is at most
    /// <paramref name="tolerance"/>·max|b|. Sums run in index order in double precision. stats[0] receives the
    /// iterations (−1 when the limit was reached), stats[1] max|b|.
    /// </summary>
    public static void SolvePressure(Index1D one, ArrayView<float> b, ArrayView<float> psi, ArrayView<float> r, ArrayView<float> z,
        ArrayView<float> direction, ArrayView<float> product, ArrayView<float> inverseDiagonal, ArrayView<double> stats, float tolerance, int maxIterations,
        Parameters p)
    {
        var cells = p.N * p.N;
        var before = 0.0;
        var mean = 0.0;
        for (var k = 0; k < cells; k++)
        {
            var a = (double)Abs(b[k]);
            if (a > before) before = a;
            mean += b[k];
        }
        stats[1] = before;
        stats[0] = 0;
        if (before == 0) return;
        // A closed box makes A singular (constants): the right-hand side must sum to zero, and rounding may leave a bit.
        var shift = p.OpenTop == 0 ? (float)(mean / cells) : 0f;
        var rz = 0.0;
        var largest = 0.0;
        for (var k = 0; k < cells; k++)
        {
            r[k] = b[k] - shift - LaplacianAt(psi, k, p);
            z[k] = r[k] * inverseDiagonal[k];
            direction[k] = z[k];
            rz += (double)r[k] * z[k];
            var a = (double)Abs(r[k]);
            if (a > largest) largest = a;
        }
        if (largest <= tolerance * before) return;
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            var pAp = 0.0;
            for (var k = 0; k < cells; k++)
            {
                product[k] = LaplacianAt(direction, k, p);
                pAp += (double)direction[k] * product[k];
            }
            var alpha = (float)(rz / pAp);
            largest = 0.0;
            for (var k = 0; k < cells; k++)
            {
                psi[k] += alpha * direction[k];
                r[k] -= alpha * product[k];
                var a = (double)Abs(r[k]);
                if (a > largest) largest = a;
            }
            if (largest <= tolerance * before)
            {
                // The recurrence drifts from b − Aψ in float: confirm with the true residual, and restart from it if short.
                largest = 0.0;
                rz = 0.0;
                for (var k = 0; k < cells; k++)
                {
                    r[k] = b[k] - shift - LaplacianAt(psi, k, p);
                    z[k] = r[k] * inverseDiagonal[k];
                    direction[k] = z[k];
                    rz += (double)r[k] * z[k];
                    var a = (double)Abs(r[k]);
                    if (a > largest) largest = a;
                }
                if (largest <= tolerance * before)
                {
                    stats[0] = iteration;
                    return;
                }
                continue;
            }
            var next = 0.0;
            for (var k = 0; k < cells; k++)
            {
                z[k] = r[k] * inverseDiagonal[k];
                next += (double)r[k] * z[k];
            }
            var beta = (float)(next / rz);
            rz = next;
            for (var k = 0; k < cells; k++) direction[k] = z[k] + beta * direction[k];
        }
        stats[0] = -1;
    }

    /// <summary>Smoke leaving through an open top during one step, upwind: Σ max(v, 0)·d·h·dt over the top faces (one thread).</summary>
    public static void TopOutflow(Index1D one, ArrayView<float> v, ArrayView<float> density, ArrayView<double> result, Parameters p)
    {
        var n = p.N;
        var sum = 0.0;
        if (p.OpenTop != 0)
            for (var i = 0; i < n; i++)
            {
                var up = v[n * n + i];
                if (up > 0f) sum += (double)up * density[(n - 1) * n + i] * p.H * p.Dt;
            }
        result[0] = sum;
    }
}
