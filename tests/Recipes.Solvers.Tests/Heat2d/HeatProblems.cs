using Recipes.Solvers.Heat2d;

namespace Recipes.Solvers.Tests.Heat2d;

/// <summary>Problems the heat2d solver tests share, each scheme's tests running the same ones.</summary>
public static class HeatProblems
{
    /// <summary>Annulus around (0.5, 0.5): u = ln(r2/r)/ln(r2/r1), harmonic; nodes inside r1 and outside r2 hold it exactly.</summary>
    public static (HeatProblem Problem, Func<double, double, double> Exact) Annulus(int size)
    {
        const double r1 = 0.1, r2 = 0.4;
        double Exact(double x, double y) => Math.Log(r2 / Math.Sqrt((x - 0.5) * (x - 0.5) + (y - 0.5) * (y - 0.5))) / Math.Log(r2 / r1);
        var problem = new HeatProblem(size);
        var h = problem.Spacing;
        for (var i = 0; i < size; i++)
            for (var j = 0; j < size; j++)
            {
                var r = Math.Sqrt((j * h - 0.5) * (j * h - 0.5) + (i * h - 0.5) * (i * h - 0.5));
                var k = i * size + j;
                if (r <= r1 || r >= r2 || problem.Held[k])
                {
                    problem.Held[k] = true;
                    problem.Values[k] = r < 1e-12 ? 1.0 : Exact(j * h, i * h);
                }
            }
        return (problem, Exact);
    }

    /// <summary>The max error of a scheme's annulus solution against the exact solution, over the free nodes.</summary>
    public static double AnnulusError(int size, Func<HeatProblem, HeatSolution> solve)
    {
        var (problem, exact) = Annulus(size);
        var solution = solve(problem);
        var h = problem.Spacing;
        var worst = 0.0;
        for (var i = 0; i < size; i++)
            for (var j = 0; j < size; j++)
                if (!problem.Held[i * size + j]) worst = Math.Max(worst, Math.Abs(solution.Field[i * size + j] - exact(j * h, i * h)));
        return worst;
    }

    /// <summary>The fitted slope of log(error) against log(h): the order of convergence.</summary>
    public static double Order(IReadOnlyList<int> sizes, IReadOnlyList<double> errors)
    {
        var xs = sizes.Select(n => Math.Log(1.0 / (n - 1))).ToArray();
        var ys = errors.Select(e => Math.Log(e)).ToArray();
        var (mx, my) = (xs.Average(), ys.Average());
        return xs.Zip(ys, (x, y) => (x - mx) * (y - my)).Sum() / xs.Sum(x => (x - mx) * (x - mx));
    }

    /// <summary>Disks as the heat-diffusion recipe draws them: 1–5 of <paramref name="radius"/> at temperature 1, centres in [0.2, 0.8]².</summary>
    public static HeatProblem Disks(int size, int seed, double radius = 0.05)
    {
        var random = new Random(seed);
        var problem = new HeatProblem(size);
        var count = random.Next(1, 6);
        for (var d = 0; d < count; d++)
            problem.AddDisk(0.2 + 0.6 * random.NextDouble(), 0.2 + 0.6 * random.NextDouble(), radius, 1.0);
        return problem;
    }

    /// <summary>The max-norm of the unscaled 5-point residual over the free interior nodes, computed independently of the solvers.</summary>
    public static double MaxResidual(HeatProblem problem, double[] u)
    {
        var n = problem.Size;
        var worst = 0.0;
        for (var i = 1; i < n - 1; i++)
            for (var j = 1; j < n - 1; j++)
            {
                var k = i * n + j;
                if (problem.Held[k]) continue;
                worst = Math.Max(worst, Math.Abs(u[k - 1] + u[k + 1] + u[k - n] + u[k + n] - 4 * u[k]));
            }
        return worst;
    }
}
