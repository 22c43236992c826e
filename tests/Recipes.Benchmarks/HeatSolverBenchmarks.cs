using BenchmarkDotNet.Attributes;
using Recipes.Solvers.Gpu;
using Recipes.Solvers.Heat2d;
using Recipes.Solvers.Tests.Heat2d;

namespace Recipes.Benchmarks;

/// <summary>
/// heat2d throughput: steady states per second of the red-black SOR kernels (one problem per launch, as a recipe node
/// runs them, and a batch of 16 per launch over all cores) against the reference's dense direct solve of the same
/// 5-point system, at 32² where the dense solve fits, and SOR alone at the reference's 64².
/// Run: <c>dotnet run -c Release --project tests/Recipes.Benchmarks -- --filter '*HeatSolver*'</c>
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class HeatSolverBenchmarks
{
    private HeatProblem _small = null!;
    private HeatProblem _reference = null!;
    private List<HeatProblem> _batch = null!;

    private static HeatProblem Problem(int size, int seed)
    {
        var random = new Recipes.Plugins.SeededRandom((ulong)seed);
        var problem = new HeatProblem(size);
        var sources = random.Int(1, 5);
        for (var k = 0; k < sources; k++) problem.AddDisk(random.Uniform(0.2, 0.8), random.Uniform(0.2, 0.8), 0.05, 1);
        return problem;
    }

    [GlobalSetup]
    public void Setup()
    {
        _small = Problem(32, 1);
        _reference = Problem(64, 2);
        _batch = Enumerable.Range(0, 16).Select(k => Problem(64, 10 + k)).ToList();
        SorSolver.Solve(_reference);
        SorSolver.SolveBatch(Devices.CpuBatch, _batch);
    }

    [Benchmark(Baseline = true, Description = "dense direct 32^2")]
    public double[] DenseDirect32() => DirectSolver.Solve(_small);

    [Benchmark(Description = "SOR 32^2")]
    public HeatSolution Sor32() => SorSolver.Solve(_small);

    [Benchmark(Description = "SOR 64^2")]
    public HeatSolution Sor64() => SorSolver.Solve(_reference);

    [Benchmark(Description = "SOR 64^2, batch of 16", OperationsPerInvoke = 16)]
    public IReadOnlyList<HeatSolution> Sor64Batch() => SorSolver.SolveBatch(Devices.CpuBatch, _batch);
}
