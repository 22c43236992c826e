using BenchmarkDotNet.Attributes;

namespace Recipes.Benchmarks;

/// <summary>
/// Acceptance 7 of the core engine: no-op <c>status</c> and <c>build</c> of 1k, 10k and 100k samples (4 nodes per
/// sample), excluding process start-up, beside the floor of reading every action entry once.
/// Run: <c>dotnet run -c Release --project tests/Recipes.Benchmarks -- --filter *NoOp*</c>
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class NoOpBenchmarks
{
    private BenchmarkRecipe _recipe = null!;

    [Params(1_000, 10_000, 100_000)]
    public int Samples { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _recipe = new BenchmarkRecipe(Samples);
        _recipe.Prepare();
    }

    [Benchmark(Baseline = true)]
    public long ReadEveryActionEntry() => _recipe.ReadAllEntries();

    [Benchmark]
    public int NoOpStatus()
    {
        var stale = _recipe.Status();
        if (stale != 0) throw new InvalidOperationException($"{stale} nodes stale in a no-op status");
        return stale;
    }

    [Benchmark]
    public int NoOpBuild()
    {
        var result = _recipe.Build();
        if (result.Summary.Executed != 0) throw new InvalidOperationException($"{result.Summary.Executed} nodes executed in a no-op build");
        return result.Summary.Nodes;
    }
}
