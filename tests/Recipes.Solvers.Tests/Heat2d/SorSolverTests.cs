using Recipes.Solvers.Heat2d;

namespace Recipes.Solvers.Tests.Heat2d;

public sealed class SorSolverTests
{
    [Fact]
    public void ConvergesAtSecondOrderOnAnAnnulus()
    {
        // The staircase of held nodes changes with the grid, so single ratios scatter; the fitted slope of
        // log(error) against log(h) over four doublings is the order.
        int[] sizes = [33, 65, 129, 257];
        var errors = sizes.Select(n => HeatProblems.AnnulusError(n, p => SorSolver.Solve(p, tolerance: 1e-12))).ToArray();
        var slope = HeatProblems.Order(sizes, errors);
        Assert.InRange(slope, 1.85, 2.25);
        for (var k = 1; k < errors.Length; k++) Assert.True(errors[k] < errors[k - 1] / 3, $"error did not shrink enough from {sizes[k - 1]} to {sizes[k]}");
    }

    [Theory]
    [InlineData(12, 1)]
    [InlineData(16, 2)]
    [InlineData(24, 3)]
    public void AgreesWithTheDirectSolveOfTheSameSystem(int size, int seed)
    {
        var random = new Random(seed);
        var problem = new HeatProblem(size);
        for (var d = 0; d < 1 + seed; d++)
            problem.AddDisk(0.2 + 0.6 * random.NextDouble(), 0.2 + 0.6 * random.NextDouble(), 0.12, 1.0);
        var sor = SorSolver.Solve(problem);
        var direct = DirectSolver.Solve(problem);
        var worst = sor.Field.Zip(direct, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-5, $"max difference {worst:E2}");
        Assert.True(sor.Residual <= 1e-8);
        Assert.True(sor.Iterations > 0);
    }

    [Fact]
    public void IsBitwiseDeterministicAndBatchEqualsSingle()
    {
        var problems = Enumerable.Range(0, 3).Select(k =>
        {
            var p = new HeatProblem(32);
            p.AddDisk(0.3 + 0.1 * k, 0.5, 0.08, 1);
            return p;
        }).ToList();
        var single = problems.Select(p => SorSolver.Solve(p)).ToList();
        var again = SorSolver.Solve(problems[1]);
        Assert.Equal(single[1].Field, again.Field);
        var batch = SorSolver.SolveBatch(Gpu.Devices.CpuBatch, problems);
        for (var k = 0; k < problems.Count; k++)
        {
            Assert.Equal(single[k].Field, batch[k].Field);
            Assert.Equal(single[k].Iterations, batch[k].Iterations);
        }
    }

    [Fact]
    public void HeldNodesKeepTheirValuesAndTheFieldStaysBetweenThem()
    {
        var problem = new HeatProblem(64);
        problem.AddDisk(0.5, 0.5, 0.05, 1);
        var solution = SorSolver.Solve(problem);
        for (var k = 0; k < solution.Field.Length; k++)
        {
            if (problem.Held[k]) Assert.Equal(problem.Values[k], solution.Field[k]);
            Assert.InRange(solution.Field[k], -1e-9, 1 + 1e-9);
        }
        Assert.True(solution.Field[32 * 64 + 40] > solution.Field[32 * 64 + 50], "temperature falls away from the disk");
    }
}
