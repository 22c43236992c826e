using System.Diagnostics;
using BenchmarkDotNet.Running;
using Recipes.Benchmarks;

// "adaptive-curve OUT.png" measures test error against simulations for the random, sobol and adaptive samplers.
if (args is ["adaptive-curve", .. var curveArgs])
{
    Environment.ExitCode = AdaptiveCurve.Run(curveArgs);
    return;
}
// "gpu-check" is the prepared GPU check of tests/gpu/run.sh (CUDA against CPU, then throughput on both).
if (args is ["gpu-check", ..])
{
    Environment.ExitCode = GpuCheck.Run(args[1..]);
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
if (args is ["sph", var resolutionText])
{
    const double a = 0.1;
    var scene = new Recipes.Solvers.Sph.SphScene
    {
        Dimensions = 2,
        Box = [5 * a, 2 * a],
        Blocks = [new Recipes.Solvers.Sph.FluidBlock([0, 0], [a, a], [0, 0])],
        Spacing = a / int.Parse(resolutionText, System.Globalization.CultureInfo.InvariantCulture),
        Duration = 3.4 / Math.Sqrt(2 * 9.81 / a),
        OutputEvery = 20,
    };
    var clock = Stopwatch.StartNew();
    var accelerator = Recipes.Solvers.Gpu.Devices.CpuBatch;
    var result = new Recipes.Solvers.Sph.SphSimulation(scene).Run(accelerator);
    Console.WriteLine($"{result.Fluid} fluid + {result.Walls} wall particles, {result.Steps} steps of {result.Dt:E2} s in {clock.Elapsed.TotalSeconds:0.0} s; max rho/rho0 {result.MaxDensityRatio:0.000}");
    Console.WriteLine($"energy {result.Energy[0]:0.0000} -> {result.Energy[^1]:0.0000} (max {result.Energy.Max():0.0000})");
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
    var meta = Recipes.Stages.GraphNetworks.GnsMetadata.Read(Path.Combine(datasetDir, "metadata.json"));
    var trajs = Recipes.Stages.GraphNetworks.Trajectory.ReadSplit(up, "train", meta.Dim);
    var features = new Recipes.Stages.GraphNetworks.GnsFeatures(meta, 0);
    TorchSharp.torch.manual_seed(1);
    var model = new Recipes.Stages.GraphNetworks.GnsModel(features.NodeFeatureCount, features.EdgeFeatureCount, meta.Dim, int.Parse(Environment.GetEnvironmentVariable("GNS_LATENT") ?? "32"), int.Parse(Environment.GetEnvironmentVariable("GNS_M") ?? "2"));
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
            var (w1, t1) = Recipes.Stages.GraphNetworks.GnsTrainer.NoisyExample(tr, rnd.Int(5, tr.Steps - 2), features, rnd);
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
    var plot = new Recipes.Plugins.Plots.LineChart("Dam-break surge front, square column", "T = t·√(2g/a)", "Z = x/a");
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
        var graph = Recipes.Graph.GraphPlanner.Plan(definition, 2);
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
