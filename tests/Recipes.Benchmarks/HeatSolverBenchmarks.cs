using BenchmarkDotNet.Attributes;
using Recipes.Solvers.Gpu;
using Recipes.Solvers.Heat2d;
using Recipes.Solvers.Tests.Heat2d;

namespace Recipes.Benchmarks;

/// <summary>
/// heat2d throughput: steady states per second of multigrid (plain C#, one solve per core) and of the red-black SOR
/// kernels (one problem per launch, as a recipe node runs them, and a batch of 16 per launch over all cores) against
/// the reference's dense direct solve of the same 5-point system, at 32² and the reference's 64².
/// "Parallel" solves 16 problems with one solve per core at a time, as a build runs simulate nodes side by side.
/// Run: <c>dotnet run -c Release --project tests/Recipes.Benchmarks -- --filter '*HeatSolver*'</c>; the
/// <c>heat-compare</c> mode of the harness times the same cases with a stopwatch beside SciPy's spsolve.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class HeatSolverBenchmarks
{
    private HeatProblem _small = null!;
    private HeatProblem _reference = null!;
    private List<HeatProblem> _batch = null!;

    /// <summary>A problem as the heat-diffusion recipe draws them: 1–5 disks of radius 0.05 at 1, centres in [0.2, 0.8]².</summary>
    public static HeatProblem Problem(int size, int seed)
    {
        var random = new Recipes.Plugins.SeededRandom((ulong)seed);
        var problem = new HeatProblem(size);
        var sources = random.Int(1, 5);
        for (var k = 0; k < sources; k++) problem.AddDisk(random.Uniform(0.2, 0.8), random.Uniform(0.2, 0.8), 0.05, 1);
        return problem;
    }

    /// <summary>One multigrid solve per core at a time, as concurrent recipe nodes run them.</summary>
    public static HeatSolution[] MultigridParallel(IReadOnlyList<HeatProblem> problems)
    {
        var solutions = new HeatSolution[problems.Count];
        Parallel.For(0, problems.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            k => solutions[k] = MultigridSolver.Solve(problems[k]));
        return solutions;
    }

    [GlobalSetup]
    public void Setup()
    {
        _small = Problem(32, 1);
        _reference = Problem(64, 2);
        _batch = Enumerable.Range(0, 16).Select(k => Problem(64, 10 + k)).ToList();
        SorSolver.Solve(_reference);
        SorSolver.SolveBatch(Devices.CpuBatch, _batch);
        MultigridParallel(_batch);
    }

    [Benchmark(Baseline = true, Description = "dense direct 32^2")]
    public double[] DenseDirect32() => DirectSolver.Solve(_small);

    [Benchmark(Description = "dense direct 64^2")]
    public double[] DenseDirect64() => DirectSolver.Solve(_reference);

    [Benchmark(Description = "SOR 32^2")]
    public HeatSolution Sor32() => SorSolver.Solve(_small);

    [Benchmark(Description = "SOR 64^2")]
    public HeatSolution Sor64() => SorSolver.Solve(_reference);

    [Benchmark(Description = "SOR 64^2, batch of 16", OperationsPerInvoke = 16)]
    public IReadOnlyList<HeatSolution> Sor64Batch() => SorSolver.SolveBatch(Devices.CpuBatch, _batch);

    [Benchmark(Description = "multigrid 32^2")]
    public HeatSolution Multigrid32() => MultigridSolver.Solve(_small);

    [Benchmark(Description = "multigrid 64^2")]
    public HeatSolution Multigrid64() => MultigridSolver.Solve(_reference);

    [Benchmark(Description = "multigrid 64^2, 16 in parallel", OperationsPerInvoke = 16)]
    public HeatSolution[] Multigrid64Parallel() => MultigridParallel(_batch);
}
