using System.Diagnostics;
using System.Globalization;
using System.Text;
using Recipes.Plugins;
using Recipes.Solvers.Gpu;
using Recipes.Solvers.Heat2d;
using Recipes.Solvers.Smoke;
using Recipes.Solvers.Sph;

namespace Recipes.Benchmarks;

/// <summary>
/// The prepared GPU check (tests/gpu/run.sh): each ILGPU solver's CUDA path against its CPU path on a small problem
/// (largest difference, held to the tolerance the CPU tests use), then throughput of heat2d (batches at 64² and 256²),
/// sph (the 2D dam break and SPlisHSPlasH's 32,768-particle cube, WCSPH per step and DFSPH over simulated time) and
/// smoke2d (256²) on both, as one Markdown table.
/// Every case is sized to finish the whole check in well under 5 minutes on one GPU and a 16-core host. Without a
/// CUDA device it still runs the CPU column, so the script can be tried anywhere; the CUDA column then reads
/// "no device".
/// </summary>
public static class GpuCheck
{
    /// <summary>heat2d's CPU and CUDA fields agree to this (the SOR tests' agreement with a direct solve is 1e-5).</summary>
    public const double HeatTolerance = 1e-6;

    /// <summary>
    /// Positions after a short sph run agree to this fraction of the particle spacing: single precision with a
    /// different summation and fused multiply-adds on the GPU is not bitwise equal, and differences grow with steps.
    /// </summary>
    public const double SphTolerance = 0.01;

    /// <summary>smoke2d's density after a short run agrees to this (pressure solves stop at a relative 1e-4).</summary>
    public const double SmokeTolerance = 1e-3;

    private sealed record Row(string Case, string Measure, string Cpu, string Cuda, string Ratio);

    public static int Run(string[] args)
    {
        var quick = args.Contains("--quick");
        var rows = new List<Row>();
        var failures = new List<string>();
        var cuda = Devices.HasCuda ? Devices.Cuda : null;
        var deviceName = cuda?.Name ?? "no CUDA device";
        Console.WriteLine($"GPU check: {deviceName}; host {Environment.ProcessorCount} cores{(quick ? "; --quick sizes" : "")}");

        // Agreement on small problems.
        var heat = HeatProblem(64, 1);
        var heatCpu = SorSolver.Solve(heat);
        if (cuda is not null)
        {
            var heatGpu = SorSolver.Solve(heat, device: DeviceKind.Cuda);
            var difference = heatCpu.Field.Zip(heatGpu.Field, (a, b) => Math.Abs(a - b)).Max();
            rows.Add(new Row("heat2d 64², one solve", "max |T_cpu − T_cuda|", "—", difference.ToString("E2", CultureInfo.InvariantCulture), $"tolerance {HeatTolerance:E0}"));
            if (!(difference <= HeatTolerance)) failures.Add($"heat2d: CPU and CUDA differ by {difference:E2} > {HeatTolerance:E0}");
        }

        var smallSph = SphBenchmarks.TwoDimensional() with { Spacing = 0.02 };
        smallSph = smallSph with { Duration = 100 * smallSph.Step, OutputEvery = 100 };
        var sphCpu = new SphSimulation(smallSph).Run(Devices.CpuBatch);
        if (cuda is not null)
        {
            SphResult sphGpu;
            lock (Devices.CudaLock) sphGpu = new SphSimulation(smallSph).Run(cuda);
            var difference = sphCpu.Frames[^1].Zip(sphGpu.Frames[^1], (a, b) => (double)Math.Abs(a - b)).Max() / smallSph.Spacing;
            rows.Add(new Row($"sph 2D, {sphCpu.Fluid} particles, 100 steps", "max |x_cpu − x_cuda| / dx", "—", difference.ToString("E2", CultureInfo.InvariantCulture), $"tolerance {SphTolerance}"));
            if (!(difference <= SphTolerance)) failures.Add($"sph: CPU and CUDA positions differ by {difference:E2} spacings > {SphTolerance}");
        }

        var smallDfsph = SphBenchmarks.TwoDimensional() with { Spacing = 0.02, Scheme = SphScheme.Dfsph, Duration = 0.05 };
        var dfsphCpu = new SphSimulation(smallDfsph).Run(Devices.CpuBatch);
        if (cuda is not null)
        {
            SphResult dfsphGpu;
            lock (Devices.CudaLock) dfsphGpu = new SphSimulation(smallDfsph).Run(cuda);
            var difference = dfsphCpu.Frames[^1].Zip(dfsphGpu.Frames[^1], (a, b) => (double)Math.Abs(a - b)).Max() / smallDfsph.Spacing;
            rows.Add(new Row($"sph 2D DFSPH, {dfsphCpu.Fluid} particles, 0.05 s", "max |x_cpu − x_cuda| / dx", "—", difference.ToString("E2", CultureInfo.InvariantCulture), $"tolerance {SphTolerance}"));
            if (!(difference <= SphTolerance)) failures.Add($"sph dfsph: CPU and CUDA positions differ by {difference:E2} spacings > {SphTolerance}");
        }

        var smallSmoke = new SmokeScene { Size = 64, Steps = 20, Frames = [20] };
        var smokeCpu = new SmokeSimulation(smallSmoke).Run(Devices.CpuBatch);
        if (cuda is not null)
        {
            SmokeResult smokeGpu;
            lock (Devices.CudaLock) smokeGpu = new SmokeSimulation(smallSmoke).Run(cuda);
            var difference = smokeCpu.Density[^1].Zip(smokeGpu.Density[^1], (a, b) => (double)Math.Abs(a - b)).Max();
            rows.Add(new Row("smoke2d 64², 20 steps", "max |ρ_cpu − ρ_cuda|", "—", difference.ToString("E2", CultureInfo.InvariantCulture), $"tolerance {SmokeTolerance:E0}"));
            if (!(difference <= SmokeTolerance)) failures.Add($"smoke2d: CPU and CUDA densities differ by {difference:E2} > {SmokeTolerance:E0}");
        }

        // Throughput.
        foreach (var (size, count) in new[] { (64, quick ? 8 : 64), (256, quick ? 2 : 8) })
        {
            var batch = Enumerable.Range(0, count).Select(k => HeatProblem(size, 10 + k)).ToList();
            var cpu = Rate(() => SorSolver.SolveBatch(Devices.CpuBatch, batch), count);
            var gpu = cuda is null ? (double?)null : Rate(() => batch.ForEach(p => SorSolver.Solve(p, device: DeviceKind.Cuda)), count);
            rows.Add(Throughput($"heat2d {size}², {count} solves (SOR)", "solves/s", cpu, gpu));
        }

        foreach (var (name, scene) in new[] { ("sph 2D dam break", SphBenchmarks.TwoDimensional()), ("sph 3D cube (SPlisHSPlasH scene)", SphBenchmarks.ThreeDimensional()) })
        {
            var steps = quick ? 10 : SphBenchmarks.Steps;
            var run = scene with { Duration = steps * scene.Step, OutputEvery = steps };
            var particles = 0;
            var cpu = Rate(() => particles = new SphSimulation(run).Run(Devices.CpuBatch).Fluid, 1) ;
            double? gpu = null;
            if (cuda is not null) lock (Devices.CudaLock) gpu = Rate(() => new SphSimulation(run).Run(cuda), 1);
            var stepsRun = Math.Ceiling(run.Duration / run.Step);
            rows.Add(Throughput($"{name}, {particles} particles, {stepsRun} steps", "particle-steps/s", cpu * particles * stepsRun, gpu * particles * stepsRun));
            if (scene.Dimensions == 3)
            {
                var fullSteps = Math.Ceiling(scene.Duration / scene.Step);
                string Projection(double rate) => $"{fullSteps * particles / rate / 60:0.0} min";
                rows.Add(new Row($"  WCSPH projected: {scene.Duration} s simulated = {fullSteps} steps", "wall time", Projection(cpu * particles * stepsRun),
                    gpu is { } g ? Projection(g * particles * stepsRun) : "no device", "SPlisHSPlasH: 2.95 min on 16 vCPU"));
            }
        }

        // DFSPH's steps follow the flow, so it is timed over simulated time: the cube's first stretch, projected to 6 s.
        var stretch = quick ? 0.05 : 0.2;
        var cube = SphBenchmarks.ThreeDimensional() with { Scheme = SphScheme.Dfsph, Duration = stretch, OutputInterval = stretch };
        var cubeCpu = 1 / Rate(() => new SphSimulation(cube).Run(Devices.CpuBatch), 1);
        double? cubeGpu = null;
        if (cuda is not null) lock (Devices.CudaLock) cubeGpu = 1 / Rate(() => new SphSimulation(cube).Run(cuda), 1);
        string Seconds(double? seconds) => seconds is { } value ? value.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "no device";
        rows.Add(new Row($"sph 3D cube, DFSPH, first {stretch} s simulated", "wall time", Seconds(cubeCpu), Seconds(cubeGpu),
            cubeGpu is { } g3 ? $"{cubeCpu / g3:0.0}× CPU; the whole 6 s took 622 s on 2 cores" : "the whole 6 s took 622 s on 2 cores"));

        var smoke = new SmokeScene { Size = 256, Steps = quick ? 5 : 20, Frames = [quick ? 5 : 20] };
        var smokeRateCpu = Rate(() => new SmokeSimulation(smoke).Run(Devices.CpuBatch), smoke.Steps);
        double? smokeRateGpu = null;
        if (cuda is not null) lock (Devices.CudaLock) smokeRateGpu = Rate(() => new SmokeSimulation(smoke).Run(cuda), smoke.Steps);
        rows.Add(Throughput($"smoke2d 256², {smoke.Steps} steps", "steps/s", smokeRateCpu, smokeRateGpu));

        var table = Format(deviceName, rows);
        Console.WriteLine(table);
        var outDirectory = Environment.GetEnvironmentVariable("OUT");
        if (!string.IsNullOrEmpty(outDirectory)) File.WriteAllText(Path.Combine(outDirectory, "gpu-check.md"), table);
        foreach (var failure in failures) Console.WriteLine("FAIL " + failure);
        Console.WriteLine(failures.Count == 0 ? (cuda is null ? "no CUDA device: agreement not checked" : "CPU and CUDA agree within the tolerances") : $"{failures.Count} check(s) failed");
        return failures.Count == 0 ? 0 : 1;
    }

    private static HeatProblem HeatProblem(int size, int seed)
    {
        var random = new SeededRandom((ulong)seed);
        var problem = new HeatProblem(size);
        var sources = random.Int(1, 5);
        for (var k = 0; k < sources; k++) problem.AddDisk(random.Uniform(0.2, 0.8), random.Uniform(0.2, 0.8), 0.05, 1);
        return problem;
    }

    /// <summary>Items per second of the second of two runs: the first pays for compiling the kernels.</summary>
    private static double Rate(Action work, int items)
    {
        work();
        var clock = Stopwatch.StartNew();
        work();
        return items / clock.Elapsed.TotalSeconds;
    }

    private static double Rate<T>(Func<T> work, int items) => Rate(() => { work(); }, items);

    private static Row Throughput(string name, string unit, double cpu, double? gpu) =>
        new(name, unit, cpu.ToString("G3", CultureInfo.InvariantCulture), gpu is { } g ? g.ToString("G3", CultureInfo.InvariantCulture) : "no device",
            gpu is { } r ? $"{r / cpu:0.0}× CPU" : "—");

    private static string Format(string device, IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Device: {device}; host cores: {Environment.ProcessorCount}; {DateTime.UtcNow:yyyy-MM-dd}");
        text.AppendLine();
        text.AppendLine("| case | measure | CPU | CUDA | ratio / tolerance |");
        text.AppendLine("| --- | --- | ---: | ---: | --- |");
        foreach (var row in rows) text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Case} | {row.Measure} | {row.Cpu} | {row.Cuda} | {row.Ratio} |");
        return text.ToString();
    }
}
