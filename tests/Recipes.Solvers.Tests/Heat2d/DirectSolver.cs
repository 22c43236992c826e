using Recipes.Solvers.Heat2d;

namespace Recipes.Solvers.Tests.Heat2d;

/// <summary>
/// The reference's method, written independently of the solver under test: assemble the dense 5-point system over
/// every node, held nodes as Dirichlet rows (u = value), and solve it by Gaussian elimination with partial pivoting.
/// Cubic in the number of nodes, so only for small grids (the benchmarks time it as the baseline).
/// </summary>
public static class DirectSolver
{
    public static double[] Solve(HeatProblem problem) => Solve(problem.Size, problem.Held, problem.Values);

    /// <summary>
    /// The same on an n×n grid given as arrays, for callers that build the problem from recorded data alone
    /// (tests/Recipes.Tests links this file: re-solving a sample from its recorded draws).
    /// </summary>
    public static double[] Solve(int n, bool[] held, double[] values)
    {
        var count = n * n;
        var a = new double[count, count];
        var b = new double[count];
        for (var r = 0; r < count; r++)
        {
            if (held[r])
            {
                a[r, r] = 1;
                b[r] = values[r];
                continue;
            }
            a[r, r] = -4;
            a[r, r - 1] = a[r, r + 1] = a[r, r - n] = a[r, r + n] = 1;
        }
        for (var k = 0; k < count; k++)
        {
            var pivot = k;
            for (var r = k + 1; r < count; r++)
                if (Math.Abs(a[r, k]) > Math.Abs(a[pivot, k])) pivot = r;
            if (pivot != k)
            {
                for (var c = 0; c < count; c++) (a[k, c], a[pivot, c]) = (a[pivot, c], a[k, c]);
                (b[k], b[pivot]) = (b[pivot], b[k]);
            }
            for (var r = k + 1; r < count; r++)
            {
                var f = a[r, k] / a[k, k];
                if (f == 0) continue;
                for (var c = k; c < count; c++) a[r, c] -= f * a[k, c];
                b[r] -= f * b[k];
            }
        }
        var x = new double[count];
        for (var r = count - 1; r >= 0; r--)
        {
            var sum = b[r];
            for (var c = r + 1; c < count; c++) sum -= a[r, c] * x[c];
            x[r] = sum / a[r, r];
        }
        return x;
    }
}
