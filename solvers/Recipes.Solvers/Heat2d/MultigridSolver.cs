namespace Recipes.Solvers.Heat2d;

/// <summary>
/// Geometric multigrid V-cycles for the masked Laplace problem, in plain C# on one CPU core. Each cycle smooths with
/// red-black Gauss-Seidel (held nodes untouched), restricts the residual by full weighting to a grid of half the
/// resolution, solves for the correction there recursively, and adds its bilinear interpolation to the free nodes.
/// The error shrinks by a factor of ten or so per cycle at every grid size (4–10 cycles from a zero start to 1e-8 at
/// 12² to 257², 6–9 at 64²), so a 64² steady state takes about half a millisecond where SOR takes about 200 sweeps.
/// <para>
/// Coarse grids: the node (I, J) of the coarse grid sits on the fine node (2I, 2J), so a grid of n nodes per side has
/// n/2 + 1. With n = 2^k + 1 the coarse grid covers the fine one exactly; with an even n (64: spacing 1/63) its last
/// row and column lie one fine spacing beyond the fine boundary and are held, as if the fine grid were padded by a
/// held row and column, which changes nothing on the fine grid because its own last row and column are held. Coarse
/// operators are Galerkin products (see <see cref="Hierarchy"/>), so held nodes of any shape, disks narrower than a
/// coarse spacing included, are seen on every grid. Coarsening stops at 5 nodes per side or fewer, where
/// Gauss-Seidel sweeps solve the few unknowns.
/// </para>
/// <para>
/// The stopping test is the one <see cref="SorSolver"/> uses (max-norm of the unscaled 5-point residual over the free
/// interior nodes), checked after every cycle. Every operation runs in a fixed order on one thread, so the result is
/// bitwise the same on every run whatever else runs beside it.
/// </para>
/// <para>
/// CPU only, by choice: at the sizes a recipe uses (64²) one solve costs about half a millisecond on one core, less than
/// the launches a GPU would need for the dozens of small grids a cycle visits, and nodes of a build run side by side
/// on the cores. The CUDA path stays with <see cref="SorSolver"/>.
/// </para>
/// </summary>
public static class MultigridSolver
{
    /// <summary>
    /// Red-black Gauss-Seidel sweeps before restricting and after interpolating, per level: of V(1,1), V(2,1),
    /// V(1,2), V(2,2) and V(3,1), V(1,2) took the least time per 64² solve (8–9 cycles against 7–8 for V(2,2)).
    /// </summary>
    public const int PreSmoothing = 1;

    /// <inheritdoc cref="PreSmoothing"/>
    public const int PostSmoothing = 2;

    /// <summary>Sweeps on the coarsest grid (at most 3×3 free nodes, where one sweep halves the error).</summary>
    private const int CoarsestSweeps = 40;

    /// <summary>Grids of at most this many nodes per side are not coarsened further.</summary>
    private const int CoarsestSize = 5;

    /// <summary>Hat weights of bilinear interpolation by offset −1, 0, 1.</summary>
    private static readonly double[] Hat = [0.5, 1, 0.5];

    /// <summary>
    /// One grid of the hierarchy: the unknowns, the right-hand side of L u = f, the residual, the held mask and, on
    /// coarse grids, L itself as a 9-point stencil per node (<see cref="Stencil"/>[9k + 3(di+1) + (dj+1)] couples node k
    /// to node k + di·Size + dj). The finest grid's L is the unscaled 5-point operator and is not stored.
    /// <see cref="Regular"/> marks nodes whose stencil is <see cref="Standard"/>, the one a grid without held nodes
    /// would have there (on the finest grid: every free node).
    /// </summary>
    private sealed class Level
    {
        public Level(int size, bool stored)
        {
            Size = size;
            U = new double[size * size];
            F = new double[size * size];
            R = new double[size * size];
            Held = new bool[size * size];
            Regular = new bool[size * size];
            Stencil = stored ? new double[9 * size * size] : null;
        }

        public int Size { get; }
        public double[] U { get; }
        public double[] F { get; }
        public double[] R { get; }
        public bool[] Held { get; }
        public bool[] Regular { get; }
        public double[]? Stencil { get; }
        public double[] Standard { get; init; } = [0, 1, 0, 1, -4, 1, 0, 1, 0];
    }

    public static HeatSolution Solve(HeatProblem problem, double tolerance = 1e-8, int maxCycles = 100, CancellationToken cancellationToken = default)
    {
        var levels = Hierarchy(problem);
        var fine = levels[0];
        var cycles = 0;
        var worst = MaxResidual(fine);
        while (worst > tolerance && cycles < maxCycles)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Cycle(levels, 0);
            cycles++;
            worst = MaxResidual(fine);
        }
        return new HeatSolution(fine.U, cycles, worst, "cpu", HeatScheme.Multigrid);
    }

    /// <summary>
    /// The fine grid holds the problem (the outer ring always held, as SOR leaves it alone). Each coarser grid's
    /// operator is the Galerkin product Pᵀ L P, with P the bilinear interpolation onto free fine nodes only: a coarse
    /// grid that merely re-discretised the Laplacian would not see disks narrower than its spacing, and its corrections
    /// then fight the held nodes (V-cycles diverged on 64² with a few small disks). A coarse node is held where its
    /// interpolation touches no free fine node, on the ring, or outside the fine grid.
    /// </summary>
    private static List<Level> Hierarchy(HeatProblem problem)
    {
        var n = problem.Size;
        var fine = new Level(n, stored: false);
        Array.Copy(problem.Values, fine.U, n * n);
        Array.Copy(problem.Held, fine.Held, n * n);
        HoldRing(fine);
        for (var k = 0; k < n * n; k++) fine.Regular[k] = !fine.Held[k];
        var levels = new List<Level> { fine };
        while (levels[^1].Size > CoarsestSize)
        {
            var above = levels[^1];
            var coarse = new Level(above.Size / 2 + 1, stored: true) { Standard = StandardProduct(above) };
            HoldRing(coarse);
            var m = coarse.Size;
            var w = above.Size;
            var a = above.Held;
            for (var i = 1; i < m - 1; i++)
                for (var j = 1; j < m - 1; j++)
                {
                    var k = 2 * i * w + 2 * j;
                    coarse.Held[i * m + j] = a[k] && a[k - 1] && a[k + 1] && a[k - w] && a[k + w] && a[k - w - 1] && a[k - w + 1] && a[k + w - 1] && a[k + w + 1];
                }
            Galerkin(above, coarse);
            levels.Add(coarse);
        }
        return levels;
    }

    private static void HoldRing(Level level)
    {
        var n = level.Size;
        for (var k = 0; k < n; k++)
            level.Held[k] = level.Held[(n - 1) * n + k] = level.Held[k * n] = level.Held[k * n + n - 1] = true;
    }

    /// <summary>
    /// Fills the coarse stencils. A coarse node whose 5×5 fine neighbourhood is all regular gets the standard product
    /// (most nodes: the work goes where the held nodes are). Any other gets its own column of Pᵀ L P, which by symmetry
    /// is its row.
    /// </summary>
    private static void Galerkin(Level fine, Level coarse)
    {
        var m = coarse.Size;
        var stencil = coarse.Stencil!;
        Span<double> column = stackalloc double[9];
        for (var ci = 1; ci < m - 1; ci++)
        {
            for (var cj = 1; cj < m - 1; cj++)
            {
                var c = ci * m + cj;
                if (coarse.Held[c]) continue;
                var row = stencil.AsSpan(9 * c, 9);
                if (AllRegular(fine, 2 * ci, 2 * cj))
                {
                    coarse.Standard.CopyTo(row);
                    coarse.Regular[c] = true;
                    continue;
                }
                Column(fine, 2 * ci, 2 * cj, column);
                for (var d = 0; d < 9; d++) row[d] = coarse.Held[c + (d / 3 - 1) * m + d % 3 - 1] ? 0 : column[d];
            }
        }
    }

    /// <summary>Whether the fine nodes within two of (fi, fj) all lie inside the ring and are regular.</summary>
    private static bool AllRegular(Level fine, int fi, int fj)
    {
        var n = fine.Size;
        if (fi < 3 || fj < 3 || fi > n - 4 || fj > n - 4) return false;
        for (var a = -2; a <= 2; a++)
        {
            var k = (fi + a) * n + fj;
            for (var b = -2; b <= 2; b++)
                if (!fine.Regular[k + b]) return false;
        }
        return true;
    }

    /// <summary>The coarse stencil of a grid without held nodes: the product over a 7×7 patch of standard fine nodes.</summary>
    private static double[] StandardProduct(Level fine)
    {
        var patch = new Level(7, stored: fine.Stencil is not null);
        if (patch.Stencil is { } stencil)
            for (var k = 0; k < 49; k++) fine.Standard.CopyTo(stencil.AsSpan(9 * k, 9));
        var product = new double[9];
        Column(patch, 3, 3, product);
        return product;
    }

    /// <summary>The fine operator's coefficient from node k to its neighbour at (di, dj).</summary>
    private static double Coefficient(Level level, int k, int di, int dj) => level.Stencil is { } s
        ? s[9 * k + 3 * (di + 1) + dj + 1]
        : di == 0 && dj == 0 ? -4 : di * dj == 0 ? 1 : 0;

    /// <summary>
    /// Column C of Pᵀ L P for the coarse node C on the fine node (fi, fj): the fine field v = P e_C (its hat, zero on
    /// held nodes), then L v on the free fine nodes around it, then Pᵀ of that for each coarse neighbour D, written to
    /// <paramref name="column"/>[3(p+1) + (q+1)] for D at (p, q) from C.
    /// </summary>
    private static void Column(Level fine, int fi, int fj, Span<double> column)
    {
        var n = fine.Size;
        Span<double> v = stackalloc double[9];
        Span<double> lv = stackalloc double[25];
        var centre = fi * n + fj;
        for (var a = -1; a <= 1; a++)
            for (var b = -1; b <= 1; b++)
                v[3 * (a + 1) + b + 1] = fine.Held[centre + a * n + b] ? 0 : Hat[a + 1] * Hat[b + 1];
        // L v at fine offsets (a, b) in [−2, 2]², free nodes only; v lives on the inner 3×3.
        for (var a = -2; a <= 2; a++)
        {
            for (var b = -2; b <= 2; b++)
            {
                var (gi, gj) = (fi + a, fj + b);
                var sum = 0.0;
                if (gi >= 1 && gi <= n - 2 && gj >= 1 && gj <= n - 2 && !fine.Held[gi * n + gj])
                {
                    for (var di = -1; di <= 1; di++)
                        for (var dj = -1; dj <= 1; dj++)
                        {
                            var (va, vb) = (a + di, b + dj);
                            if (va < -1 || va > 1 || vb < -1 || vb > 1) continue;
                            var vg = v[3 * (va + 1) + vb + 1];
                            if (vg != 0) sum += Coefficient(fine, gi * n + gj, di, dj) * vg;
                        }
                }
                lv[5 * (a + 2) + b + 2] = sum;
            }
        }
        // Pᵀ: the coarse neighbour D at (p, q) gathers the fine nodes of its own hat that overlap the 5×5.
        for (var p = -1; p <= 1; p++)
        {
            for (var q = -1; q <= 1; q++)
            {
                var sum = 0.0;
                for (var a = -1; a <= 1; a++)
                    for (var b = -1; b <= 1; b++)
                    {
                        var (la, lb) = (2 * p + a, 2 * q + b);
                        if (la < -2 || la > 2 || lb < -2 || lb > 2) continue;
                        sum += Hat[a + 1] * Hat[b + 1] * lv[5 * (la + 2) + lb + 2];
                    }
                column[3 * (p + 1) + q + 1] = sum;
            }
        }
    }

    private static void Cycle(List<Level> levels, int depth)
    {
        var level = levels[depth];
        if (depth == levels.Count - 1)
        {
            Smooth(level, CoarsestSweeps);
            return;
        }
        var coarse = levels[depth + 1];
        Smooth(level, PreSmoothing);
        Residual(level);
        Restrict(level, coarse);
        Array.Clear(coarse.U);
        Cycle(levels, depth + 1);
        Prolongate(coarse, level);
        Smooth(level, PostSmoothing);
    }

    /// <summary>
    /// Red-black Gauss-Seidel: each free node of one colour solves its own equation given its neighbours. On the fine
    /// grid that is u = (sum of neighbours − f) / 4 and the colours decouple; on 9-point coarse grids the diagonal
    /// neighbours share a colour, so within a colour the sweep is ordinary Gauss-Seidel in row order.
    /// </summary>
    private static unsafe void Smooth(Level level, int sweeps)
    {
        var n = level.Size;
        fixed (double* u = level.U, f = level.F, s = level.Stencil)
        fixed (bool* held = level.Held)
        {
            for (var sweep = 0; sweep < sweeps; sweep++)
            {
                for (var color = 0; color < 2; color++)
                {
                    for (var i = 1; i < n - 1; i++)
                    {
                        var end = i * n + n - 1;
                        var k = i * n + 1 + ((i + 1 + color) & 1);
                        if (s is null)
                        {
                            for (; k < end; k += 2)
                                if (!held[k]) u[k] = 0.25 * (u[k - 1] + u[k + 1] + u[k - n] + u[k + n] - f[k]);
                            continue;
                        }
                        for (; k < end; k += 2)
                        {
                            if (held[k]) continue;
                            var o = s + 9 * k;
                            var off = o[0] * u[k - n - 1] + o[1] * u[k - n] + o[2] * u[k - n + 1]
                                + o[3] * u[k - 1] + o[5] * u[k + 1]
                                + o[6] * u[k + n - 1] + o[7] * u[k + n] + o[8] * u[k + n + 1];
                            u[k] = (f[k] - off) / o[4];
                        }
                    }
                }
            }
        }
    }

    /// <summary>r = f − L u on free nodes, zero on held ones (so restriction sums over free nodes only).</summary>
    private static unsafe void Residual(Level level)
    {
        var n = level.Size;
        Array.Clear(level.R);
        fixed (double* u = level.U, f = level.F, r = level.R, s = level.Stencil)
        fixed (bool* held = level.Held)
        {
            for (var i = 1; i < n - 1; i++)
            {
                var end = i * n + n - 1;
                if (s is null)
                {
                    for (var k = i * n + 1; k < end; k++)
                        if (!held[k]) r[k] = f[k] - (u[k - 1] + u[k + 1] + u[k - n] + u[k + n] - 4 * u[k]);
                    continue;
                }
                for (var k = i * n + 1; k < end; k++)
                {
                    if (held[k]) continue;
                    var o = s + 9 * k;
                    r[k] = f[k] - (o[0] * u[k - n - 1] + o[1] * u[k - n] + o[2] * u[k - n + 1]
                        + o[3] * u[k - 1] + o[4] * u[k] + o[5] * u[k + 1]
                        + o[6] * u[k + n - 1] + o[7] * u[k + n] + o[8] * u[k + n + 1]);
                }
            }
        }
    }

    /// <summary>The stopping test: max |L u| over the free interior nodes of the fine grid (where f = 0).</summary>
    private static unsafe double MaxResidual(Level level)
    {
        var n = level.Size;
        var worst = 0.0;
        fixed (double* u = level.U)
        fixed (bool* held = level.Held)
        {
            for (var i = 1; i < n - 1; i++)
            {
                var end = i * n + n - 1;
                for (var k = i * n + 1; k < end; k++)
                {
                    if (held[k]) continue;
                    var r = Math.Abs(u[k - 1] + u[k + 1] + u[k - n] + u[k + n] - 4 * u[k]);
                    if (r > worst) worst = r;
                }
            }
        }
        return worst;
    }

    /// <summary>
    /// Pᵀ r: full weighting (1/16 [1 2 1; 2 4 2; 1 2 1]) of the fine residual, times 4, the scale of the unscaled
    /// operator on a grid of twice the spacing (4h²Δ where the fine one is h²Δ), which Pᵀ L P carries too.
    /// </summary>
    private static unsafe void Restrict(Level fine, Level coarse)
    {
        var n = fine.Size;
        var m = coarse.Size;
        Array.Clear(coarse.F);
        fixed (double* r = fine.R, f = coarse.F)
        fixed (bool* held = coarse.Held)
        {
            for (var i = 1; i < m - 1; i++)
            {
                for (var j = 1; j < m - 1; j++)
                {
                    var c = i * m + j;
                    if (held[c]) continue;
                    // Interior coarse nodes sit on fine nodes at least one node inside the fine grid, so all nine exist.
                    var k = 2 * i * n + 2 * j;
                    f[c] = r[k]
                        + 0.5 * (r[k - 1] + r[k + 1] + r[k - n] + r[k + n])
                        + 0.25 * (r[k - n - 1] + r[k - n + 1] + r[k + n - 1] + r[k + n + 1]);
                }
            }
        }
    }

    /// <summary>Adds the bilinear interpolation of the coarse correction (zero on coarse held nodes) to the free fine nodes.</summary>
    private static unsafe void Prolongate(Level coarse, Level fine)
    {
        var n = fine.Size;
        var m = coarse.Size;
        fixed (double* e = coarse.U, u = fine.U)
        fixed (bool* held = fine.Held)
        {
            for (var i = 1; i < n - 1; i++)
            {
                var top = e + (i >> 1) * m;
                var bottom = e + ((i + 1) >> 1) * m;
                var row = u + i * n;
                var mask = held + i * n;
                for (var j = 1; j < n - 1; j++)
                {
                    if (mask[j]) continue;
                    var (j0, j1) = (j >> 1, (j + 1) >> 1);
                    row[j] += 0.25 * (top[j0] + top[j1] + bottom[j0] + bottom[j1]);
                }
            }
        }
    }
}
