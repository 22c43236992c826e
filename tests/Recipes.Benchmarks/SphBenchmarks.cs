using BenchmarkDotNet.Attributes;
using Recipes.Solvers.Gpu;
using Recipes.Solvers.Sph;

namespace Recipes.Benchmarks;

/// <summary>
/// SPH throughput in particle-steps per second (fluid particles × time steps / wall time) for a 2D dam break and for
/// the 3D scene of the SPlisHSPlasH figure (a 1 m cube of water, 32,768 particles of radius 0.015 m, in a 2 m box),
/// each for a fixed number of steps on all cores. The 2D case is the baseline of the ratios.
/// Run: <c>dotnet run -c Release --project tests/Recipes.Benchmarks -- --filter '*Sph*'</c>. These are WCSPH (a fixed
/// number of steps); DFSPH's steps differ in length and cost, so it is compared at equal simulated time by the Program
/// modes <c>sph-schemes</c> (this 2D scene, both schemes) and <c>sph-cube</c> (the 3D scene for its full 6 s).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class SphBenchmarks
{
    public const int Steps = 50;

    public static SphScene TwoDimensional() => new()
    {
        Dimensions = 2,
        Box = [1.6, 0.8],
        Blocks = [new FluidBlock([0, 0], [0.4, 0.4], [0, 0])],
        Spacing = 0.005,
        Duration = 1,
    };

    /// <summary>SPlisHSPlasH's scene: particle radius 0.015 m is a spacing of 0.03 m; 32 particles per side fill 0.96 m.</summary>
    public static SphScene ThreeDimensional() => new()
    {
        Dimensions = 3,
        Box = [2, 2, 2],
        Blocks = [new FluidBlock([0, 0, 0], [0.96, 0.96, 0.96], [0, 0, 0])],
        Spacing = 0.03,
        Duration = 6,
    };

    private static SphResult Run(SphScene scene) =>
        new SphSimulation(scene with { Duration = Steps * scene.Step, OutputEvery = Steps }).Run(Devices.CpuBatch);

    [Benchmark(Baseline = true, Description = "2D dam break, 6,400 particles")]
    public SphResult TwoD() => Run(TwoDimensional());

    [Benchmark(Description = "3D cube, 32,768 particles")]
    public SphResult ThreeD() => Run(ThreeDimensional());
}
