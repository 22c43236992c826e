using System.Diagnostics;
using BenchmarkDotNet.Running;
using Recipes.Benchmarks;

// "adaptive-curve OUT.png" measures test error against simulations for the random, sobol and adaptive samplers.
if (args is ["adaptive-curve", .. var curveArgs])
{
    Environment.ExitCode = AdaptiveCurve.Run(curveArgs);
    return;
}
// "gns-curve [--gain] OUT.png DIR=LABEL ..." draws validation rollout MSE (or the gain over the best baseline) against training time for GNS builds.
if (args is ["gns-curve", .. var gnsCurveArgs])
{
    Environment.ExitCode = GnsTrainingCurve.Run(gnsCurveArgs);
    return;
}
// "gpu-check" is the prepared GPU check of tests/gpu/run.sh (CUDA against CPU, then throughput on both).
if (args is ["gpu-check", ..])
{
    Environment.ExitCode = GpuCheck.Run(args[1..]);
    return;
}
// "bulk N FILES BYTES [RUNS]" builds N in-process nodes that each write FILES files of BYTES bytes, beside the raw floor.
if (args is ["bulk", .. var bulkArgs])
{
    Environment.ExitCode = BulkBenchmark.Run(bulkArgs);
    return;
}
// "scale N synthesize|status|build": plan and status at a million samples, and a large first build's memory.
if (args is ["scale", .. var scaleArgs])
{
    Environment.ExitCode = ScaleBenchmark.Run(scaleArgs);
    return;
}
// "quick N" times eight no-op status and build runs of N samples with a stopwatch, beside reading every action entry
// once (the I/O floor), and prints the medians; anything else goes to BenchmarkDotNet.
if (args is ["quick", var count])
{
    var recipe = new BenchmarkRecipe(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
    var clock = Stopwatch.StartNew();
    recipe.Prepare();
    Console.WriteLine($"prepare: {clock.Elapsed.TotalSeconds:0.00} s");
    var rows = new List<(double Baseline, double Status, double Build)>();
    for (var i = 0; i < 8; i++)
    {
        clock.Restart();
        recipe.ReadAllEntries();
        var baseline = clock.Elapsed.TotalSeconds;
        clock.Restart();
        recipe.Status();
        var status = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var result = recipe.Build();
        var build = clock.Elapsed.TotalSeconds;
        rows.Add((baseline, status, build));
        Console.WriteLine($"read every entry {baseline:0.000} s, status {status:0.000} s, build {build:0.000} s ({result.Summary.Nodes} nodes, {result.Summary.Executed} executed)");
    }
    static double Median(IEnumerable<double> values) => values.Order().ElementAt(3);
    Console.WriteLine($"median of 8: read every entry {Median(rows.Select(r => r.Baseline)):0.000} s, status {Median(rows.Select(r => r.Status)):0.000} s, build {Median(rows.Select(r => r.Build)):0.000} s");
    return;
}
// "phases N" splits one no-op status and build of N samples into their steps, to see where the time goes.
if (args is ["phases", var phaseCount])
{
    var recipe = new BenchmarkRecipe(int.Parse(phaseCount, System.Globalization.CultureInfo.InvariantCulture));
    recipe.Prepare();
    var runs = Enumerable.Range(0, 8).Select(_ => recipe.Phases()).ToList();
    foreach (var run in runs) Console.WriteLine(string.Join(", ", run.Select(p => $"{p.Name} {p.Seconds * 1000:0} ms")));
    // Machines here are noisy: the fastest of eight runs is what the code costs.
    Console.WriteLine("min: " + string.Join(", ", runs[0].Select((p, k) => $"{p.Name} {runs.Min(r => r[k].Seconds) * 1000:0} ms")));
    return;
}
if (args is ["heat", var device, var sizeText])
{
    var size = int.Parse(sizeText, System.Globalization.CultureInfo.InvariantCulture);
    var problem = new Recipes.Solvers.Heat2d.HeatProblem(size);
    problem.AddDisk(0.3, 0.4, 0.05, 1);
    problem.AddDisk(0.7, 0.6, 0.05, 1);
    for (var i = 0; i < 4; i++)
    {
        var clock = Stopwatch.StartNew();
        var solution = Recipes.Solvers.Heat2d.SorSolver.Solve(problem, 1e-8, device: Recipes.Plugins.DeviceKinds.Parse(device));
        Console.WriteLine($"{size}: {clock.Elapsed.TotalMilliseconds:0.0} ms, {solution.Iterations} iterations, residual {solution.Residual:E2}");
    }
    return;
}
// "heat-compare [N]" times the heat2d solvers with a stopwatch beside SciPy's spsolve (N problems in the parallel case).
if (args is ["heat-compare", ..])
{
    HeatComparison.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64);
    return;
}
if (args is ["sph", var resolutionText, ..] && args.Length <= 3)
{
    var scheme = args.Length == 3 ? Enum.Parse<Recipes.Solvers.Sph.SphScheme>(args[2], ignoreCase: true) : Recipes.Solvers.Sph.SphScheme.Wcsph;
    const double a = 0.1;
    var scene = new Recipes.Solvers.Sph.SphScene
    {
        Dimensions = 2,
        Box = [5 * a, 2 * a],
        Blocks = [new Recipes.Solvers.Sph.FluidBlock([0, 0], [a, a], [0, 0])],
        Spacing = a / int.Parse(resolutionText, System.Globalization.CultureInfo.InvariantCulture),
        Duration = 3.4 / Math.Sqrt(2 * 9.81 / a),
        OutputEvery = 20,
        Scheme = scheme,
        ArtificialViscosity = double.Parse(Environment.GetEnvironmentVariable("SPH_ALPHA") ?? "0.02", System.Globalization.CultureInfo.InvariantCulture),
    };
    var clock = Stopwatch.StartNew();
    var accelerator = Recipes.Solvers.Gpu.Devices.CpuBatch;
    var result = new Recipes.Solvers.Sph.SphSimulation(scene).Run(accelerator);
    Console.WriteLine($"{result.Fluid} fluid + {result.Walls} wall particles, {result.Steps} steps of {result.Dt:E2} s in {clock.Elapsed.TotalSeconds:0.0} s; max rho/rho0 {result.MaxDensityRatio:0.000}");
    Console.WriteLine($"energy {result.Energy[0]:0.0000} -> {result.Energy[^1]:0.0000} (max {result.Energy.Max():0.0000})");
    if (result.Dfsph is { } stats)
        Console.WriteLine($"dfsph: dt {stats.Dt.Min():E2}..{stats.Dt.Max():E2} (mean {stats.Dt.Average():E2}, {stats.Dt.Average() / scene.Step:0.0}x the WCSPH step), density iterations mean {stats.DensityIterations.Average():0.00} max {stats.DensityIterations.Max()}, error max {stats.DensityError.Max():E2}; divergence iterations mean {stats.DivergenceIterations.Average():0.00} max {stats.DivergenceIterations.Max()}, error max {stats.DivergenceError.Max():E2}; unconverged {stats.DensityUnconverged}/{stats.DivergenceUnconverged}; capacity {stats.NeighbourCapacity}");
    double[] T = [0.41, 0.84, 1.19, 1.43, 1.63, 1.83, 1.98, 2.20, 2.32, 2.51, 2.65, 2.83, 2.98, 3.11, 3.33];
    double[] Z = [1.11, 1.22, 1.44, 1.67, 1.89, 2.11, 2.33, 2.56, 2.78, 3.00, 3.22, 3.44, 3.67, 3.89, 4.11];
    for (var k = 0; k < T.Length; k++)
    {
        var t = T[k] / Math.Sqrt(2 * 9.81 / a);
        var idx = Array.FindIndex(result.Times, x => x >= t);
        if (idx < 0) continue;
        Console.WriteLine($"T {T[k]:0.00}: exp Z {Z[k]:0.00}  sph Z {result.FrontX[idx] / a:0.00}");
    }
    return;
}
if (args is ["gns", var datasetDir])
{
    Recipes.Training.TorchRuntime.EnsureLoadable();
    var files = Directory.EnumerateFiles(datasetDir).Select(f => new Recipes.Plugins.Artifact(Path.GetFileName(f), f, "")).ToList();
    var up = new Recipes.Plugins.UpstreamArtifacts("dataset/shard-0000", "dataset", null, null, Recipes.Plugins.ValueMap.Empty, files);
    var meta = Recipes.Training.GraphNetworks.GnsMetadata.Read(Path.Combine(datasetDir, "metadata.json"));
    var trajs = Recipes.Training.GraphNetworks.Trajectory.ReadSplit(up, "train", meta.Dim);
    var features = new Recipes.Training.GraphNetworks.GnsFeatures(meta, 0);
    TorchSharp.torch.manual_seed(1);
    var model = new Recipes.Training.GraphNetworks.GnsModel(features.NodeFeatureCount, features.EdgeFeatureCount, meta.Dim, int.Parse(Environment.GetEnvironmentVariable("GNS_LATENT") ?? "32"), int.Parse(Environment.GetEnvironmentVariable("GNS_M") ?? "2"));
    var opt = TorchSharp.torch.optim.Adam(model.parameters(), double.Parse(Environment.GetEnvironmentVariable("GNS_LR") ?? "2e-3", System.Globalization.CultureInfo.InvariantCulture));
    var rnd = new Recipes.Plugins.SeededRandom(1);
    var sum = 0.0;
    var clock2 = Stopwatch.StartNew();
    for (var k = 0; k < 3000; k++)
    {
        var batch = int.Parse(Environment.GetEnvironmentVariable("GNS_BATCH") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        var wins = new List<(float[] Window, int Particles, int[] Types)>();
        var tgts = new List<float>();
        var tr = trajs[0];
        for (var b = 0; b < batch; b++)
        {
            tr = trajs[rnd.Int(0, trajs.Count - 1)];
            var (w1, t1) = Recipes.Training.GraphNetworks.GnsTrainer.NoisyExample(tr, rnd.Int(5, tr.Steps - 2), features, rnd);
            wins.Add((w1, tr.Particles, tr.Types));
            tgts.AddRange(t1);
        }
        var w = wins[0].Window;
        var target = tgts.ToArray();
        if (Environment.GetEnvironmentVariable("GNS_PROBE") == "velocity")
        {
            var sz = tr.Particles * meta.Dim;
            for (var q = 0; q < sz; q++) target[q] = (float)((w[5 * sz + q] - w[4 * sz + q] - meta.VelocityMean[q % meta.Dim]) / features.VelocityScale[q % meta.Dim]);
        }
        using var scope = TorchSharp.torch.NewDisposeScope();
        var g = features.Batch(wins);
        opt.zero_grad();
        var loss = TorchSharp.torch.nn.functional.mse_loss(model.call(g), TorchSharp.torch.tensor(target, [target.Length / meta.Dim, meta.Dim]));
        loss.backward();
        opt.step();
        sum += loss.item<float>();
        if ((k + 1) % 250 == 0) { Console.WriteLine($"{k + 1}: {sum / 250:0.00000} ({clock2.Elapsed.TotalSeconds:0.0} s)"); sum = 0; }
    }
    return;
}
if (args is ["martin-moyce", var pngPath])
{
    const double a = 0.1;
    double[] T = [0.41, 0.84, 1.19, 1.43, 1.63, 1.83, 1.98, 2.20, 2.32, 2.51, 2.65, 2.83, 2.98, 3.11, 3.33];
    double[] Z = [1.11, 1.22, 1.44, 1.67, 1.89, 2.11, 2.33, 2.56, 2.78, 3.00, 3.22, 3.44, 3.67, 3.89, 4.11];
    var plot = new Recipes.Plotting.Plots.LineChart("Dam-break surge front, square column", "T = t·√(2g/a)", "Z = x/a");
    plot.Add("Martin & Moyce 1952", T.Zip(Z), markers: true);
    foreach (var perSide in new[] { 20, 40 })
    {
        var scene = new Recipes.Solvers.Sph.SphScene
        {
            Dimensions = 2, Box = [5 * a, 2 * a], Blocks = [new Recipes.Solvers.Sph.FluidBlock([0, 0], [a, a], [0, 0])],
            Spacing = a / perSide, Duration = 3.4 / Math.Sqrt(2 * 9.81 / a), OutputEvery = 10,
        };
        var result = new Recipes.Solvers.Sph.SphSimulation(scene).Run(Recipes.Solvers.Gpu.Devices.CpuBatch);
        plot.Add($"SPH, {perSide} particles per a", result.Times.Zip(result.FrontX, (t, x) => (t * Math.Sqrt(2 * 9.81 / a), x / a)));
        var deviations = T.Select((tt, k) => (result.FrontX[Array.FindIndex(result.Times, x => x * Math.Sqrt(2 * 9.81 / a) >= tt)] / a - Z[k]) / Z[k]).ToList();
        Console.WriteLine($"{perSide} per a: mean |dev| {deviations.Average(Math.Abs):P1}, max {deviations.Max():P1}, min {deviations.Min():P1}");
    }
    plot.SavePng(pngPath);
    return;
}
if (args is ["sph-scale"])
{
    foreach (var scene in new[] { Recipes.Benchmarks.SphBenchmarks.TwoDimensional(), Recipes.Benchmarks.SphBenchmarks.ThreeDimensional() })
    {
        var run = scene with { Duration = Recipes.Benchmarks.SphBenchmarks.Steps * scene.Step, OutputEvery = Recipes.Benchmarks.SphBenchmarks.Steps };
        var clock = Stopwatch.StartNew();
        var result = new Recipes.Solvers.Sph.SphSimulation(run).Run(Recipes.Solvers.Gpu.Devices.CpuBatch);
        var seconds = clock.Elapsed.TotalSeconds;
        var rate = (double)result.Fluid * result.Steps / seconds;
        var fullSteps = Math.Ceiling(scene.Duration / scene.Step);
        Console.WriteLine($"{scene.Dimensions}D: {result.Fluid} fluid + {result.Walls} wall particles, dt {scene.Step:E3} s, {result.Steps} steps in {seconds:0.00} s: {rate:E3} particle-steps/s; {scene.Duration} s of physics = {fullSteps} steps, projected {fullSteps * result.Fluid / rate / 3600:0.00} h wall, {fullSteps * result.Fluid / rate * Environment.ProcessorCount / 3600:0.00} core-h");
    }
    return;
}
if (args is ["dfsph-debug", var durationText])
{
    const double a = 0.1;
    var scene = new Recipes.Solvers.Sph.SphScene
    {
        Dimensions = 2, Box = [5 * a, 2 * a], Blocks = [new Recipes.Solvers.Sph.FluidBlock([0, 0], [a, a], [0, 0])],
        Spacing = a / 20, Duration = double.Parse(durationText, System.Globalization.CultureInfo.InvariantCulture), OutputEvery = 20, Scheme = Recipes.Solvers.Sph.SphScheme.Dfsph,
    };
    var result = new Recipes.Solvers.Sph.SphSimulation(scene).Run(Recipes.Solvers.Gpu.Devices.CpuBatch);
    var st = result.Dfsph!;
    for (var k = 0; k < st.Steps; k++) Console.WriteLine($"{k}: dt {st.Dt[k]:E2} div {st.DivergenceIterations[k]} {st.DivergenceError[k]:E2} dens {st.DensityIterations[k]} {st.DensityError[k]:E2}");
    for (var f = 0; f < result.Frames.Length; f++) Console.WriteLine($"t {result.Times[f]:0.0000} E {result.Energy[f]:0.0000} front {result.FrontX[f]:0.0000}");
    Console.WriteLine($"max rho {result.MaxDensityRatio}");
    return;
}
// "sph-cube [seconds] [dfsph|wcsph]": SPlisHSPlasH's scene (SphBenchmarks.ThreeDimensional) for the given simulated
// time (default the full 6 s, DFSPH), with what a comparison with their 2 min 57 s on 16 vCPU needs.
if (args.Length >= 1 && args[0] == "sph-cube")
{
    var seconds = args.Length >= 2 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 6;
    var scheme = args.Length >= 3 ? Enum.Parse<Recipes.Solvers.Sph.SphScheme>(args[2], ignoreCase: true) : Recipes.Solvers.Sph.SphScheme.Dfsph;
    // 25 frames per second, SPlisHSPlasH's default export rate.
    var scene = Recipes.Benchmarks.SphBenchmarks.ThreeDimensional() with { Duration = seconds, Scheme = scheme, OutputInterval = 0.04, OutputEvery = 200 };
    if (args.Length >= 4)
    {
        // A coarser lattice of the same 0.96 m cube, for quick trials.
        var spacing = double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        scene = scene with { Spacing = spacing, Blocks = [new Recipes.Solvers.Sph.FluidBlock([0, 0, 0], [0.96, 0.96, 0.96], [0, 0, 0])] };
    }
    var clock = Stopwatch.StartNew();
    var lastReport = 0.0;
    var progress = new Progress<double>(f =>
    {
        if (clock.Elapsed.TotalSeconds - lastReport < 30) return;
        lastReport = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  {f:P0} after {lastReport:0} s");
    });
    var result = new Recipes.Solvers.Sph.SphSimulation(scene).Run(Recipes.Solvers.Gpu.Devices.CpuBatch, progress);
    var wall = clock.Elapsed.TotalSeconds;
    var cores = Environment.ProcessorCount;
    Console.WriteLine($"{scheme}: {result.Fluid} fluid + {result.Walls} wall particles, {seconds} s simulated, {result.Steps} steps (mean dt {result.Dt:E3} s), {result.Frames.Length} frames");
    Console.WriteLine($"wall {wall:0.0} s on {cores} cores = {wall * cores:0} core-s ({wall * cores / 2832:0.00}x SPlisHSPlasH's 2,832 core-s); {(double)result.Fluid * result.Steps / wall:E3} particle-steps/s; peak working set {Environment.WorkingSet / 1e6:0} MB now, {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB peak");
    Console.WriteLine($"energy {result.Energy[0]:0.0} -> {result.Energy[^1]:0.0} (max {result.Energy.Max():0.0}) J; max rho/rho0 {result.MaxDensityRatio:0.0000}; front {result.FrontX[^1]:0.000} m");
    if (result.Dfsph is { } stats)
        Console.WriteLine($"dt {stats.Dt.Min():E2}..{stats.Dt.Max():E2}; density iterations mean {stats.DensityIterations.Average():0.00} max {stats.DensityIterations.Max()}, final error max {stats.DensityError.Max():E2} (tolerance {stats.DensityTolerance:E1}); divergence iterations mean {stats.DivergenceIterations.Average():0.00} max {stats.DivergenceIterations.Max()}, final error max {stats.DivergenceError.Max():E2} (tolerance {stats.DivergenceTolerance:E1}); steps at the cap {stats.DensityUnconverged}/{stats.DivergenceUnconverged}; neighbour capacity {stats.NeighbourCapacity}");
    if (result.Dfsph is { } timing)
        Console.WriteLine($"time: neighbour search {timing.SearchSeconds:0.0} s, divergence solve {timing.DivergenceSeconds:0.0} s, density solve {timing.DensitySeconds:0.0} s, rest {timing.TotalSeconds - timing.SearchSeconds - timing.DivergenceSeconds - timing.DensitySeconds:0.0} s");
    return;
}
// "sph-schemes [seconds]": the 2D dam break of SphBenchmarks (6,400 particles) for the same simulated time with each
// scheme, in one process: particle-steps per second, and simulated seconds per wall second, the figure that counts.
if (args.Length >= 1 && args[0] == "sph-schemes")
{
    var seconds = args.Length >= 2 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0.1;
    var rows = new List<(Recipes.Solvers.Sph.SphScheme Scheme, double Wall, Recipes.Solvers.Sph.SphResult Result)>();
    foreach (var scheme in new[] { Recipes.Solvers.Sph.SphScheme.Wcsph, Recipes.Solvers.Sph.SphScheme.Dfsph })
    {
        // Frames every 0.01 s with either scheme; a short warm-up run first, so that JIT time is not counted.
        var scene = Recipes.Benchmarks.SphBenchmarks.TwoDimensional() with { Scheme = scheme, OutputInterval = 0.01 };
        scene = scene with { OutputEvery = Math.Max(1, (int)Math.Round(0.01 / scene.Step)) };
        new Recipes.Solvers.Sph.SphSimulation(scene with { Duration = 0.01 }).Run(Recipes.Solvers.Gpu.Devices.CpuBatch);
        var clock = Stopwatch.StartNew();
        var result = new Recipes.Solvers.Sph.SphSimulation(scene with { Duration = seconds }).Run(Recipes.Solvers.Gpu.Devices.CpuBatch);
        rows.Add((scheme, clock.Elapsed.TotalSeconds, result));
    }
    foreach (var (scheme, wall, result) in rows)
    {
        var extra = result.Dfsph is { } stats ? $"; density iterations {stats.DensityIterations.Average():0.0}, divergence {stats.DivergenceIterations.Average():0.0}" : "";
        Console.WriteLine($"{scheme}: {result.Fluid} fluid + {result.Walls} wall particles, {result.Steps} steps (mean dt {result.Dt:E2} s) for {seconds} s in {wall:0.00} s: {(double)result.Fluid * result.Steps / wall:E3} particle-steps/s, {seconds / wall:0.0000} simulated s per wall s{extra}");
    }
    Console.WriteLine($"DFSPH vs WCSPH: steps {(double)rows[0].Result.Steps / rows[1].Result.Steps:0.0}x fewer, cost per step {rows[1].Wall / rows[1].Result.Steps / (rows[0].Wall / rows[0].Result.Steps):0.0}x, wall time {rows[0].Wall / rows[1].Wall:0.00}x faster");
    return;
}
if (args is ["torch"])
{
    Recipes.Training.TorchRuntime.EnsureLoadable();
    var x = TorchSharp.torch.randn(4, 3);
    Console.WriteLine($"torch ok: {x.sum().item<float>()} threads {TorchSharp.torch.get_num_threads()}");
    return;
}
if (args is ["phases", var n])
{
    var recipe = new BenchmarkRecipe(int.Parse(n, System.Globalization.CultureInfo.InvariantCulture));
    recipe.Prepare();
    for (var i = 0; i < 8; i++)
    {
        var clock = Stopwatch.StartNew();
        var definition = new Recipes.Recipe.RecipeLoader(recipe.Registry).Load(recipe.RecipePath);
        var samples = definition.Samples;
        var load = clock.Elapsed.TotalSeconds; clock.Restart();
        var t0 = clock.Elapsed.TotalSeconds;
        var canon = samples.Select(x => Recipes.Hashing.CanonicalJson.Serialize(new System.Text.Json.Nodes.JsonObject(x.Parameters.Entries.Select(e => new KeyValuePair<string, System.Text.Json.Nodes.JsonNode?>(e.Key, e.Value?.DeepClone()))))).ToList();
        var t1 = clock.Elapsed.TotalSeconds;
        var seeds = canon.Select(c => new Recipes.Hashing.KeyBuilder().Add("a", c).BuildSeed()).ToList();
        var t2 = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  canon {t1 - t0:0.000} seeds {t2 - t1:0.000}");
        clock.Restart();
        var graph = Recipes.Graph.GraphPlanner.Plan(definition);
        var plan = clock.Elapsed.TotalSeconds; clock.Restart();
        var cache = new Recipes.Cache.CacheStore(recipe.CacheDirectory);
        var engine = new Recipes.Execution.BuildEngine(cache);
        var result = engine.BuildAsync(graph, new Recipes.Execution.BuildOptions { Jobs = 2, OutputRoot = recipe.OutDirectory }, Recipes.Reporting.NullReporter.Instance, CancellationToken.None).GetAwaiter().GetResult();
        var build = clock.Elapsed.TotalSeconds; clock.Restart();
        new Recipes.Materialization.OutputMaterializer(cache).Materialize(result, recipe.OutDirectory);
        var materialize = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"load+sample {load:0.000}  plan {plan:0.000}  probe+state {build:0.000}  materialize {materialize:0.000}");
    }
    return;
}
if (args is ["diffusion", var pixelsText, var batchText, var stepsText])
{
    var numbers = new[] { pixelsText, batchText, stepsText }.Select(t => int.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    DiffusionSamplingBenchmark.Run(numbers[0], numbers[1], numbers[2], Environment.ProcessorCount);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(NoOpBenchmarks).Assembly).Run(args);
