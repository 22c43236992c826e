using System.Diagnostics;
using BenchmarkDotNet.Running;
using Recipes.Benchmarks;

// "quick N" times one no-op status and build of N samples with a stopwatch, for a fast look while developing;
// anything else goes to BenchmarkDotNet.
if (args is ["quick", var count])
{
    var recipe = new BenchmarkRecipe(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
    var clock = Stopwatch.StartNew();
    recipe.Prepare();
    Console.WriteLine($"prepare: {clock.Elapsed.TotalSeconds:0.00} s");
    for (var i = 0; i < 3; i++)
    {
        clock.Restart();
        recipe.Status();
        var status = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var result = recipe.Build();
        Console.WriteLine($"status {status:0.000} s, build {clock.Elapsed.TotalSeconds:0.000} s ({result.Summary.Nodes} nodes, {result.Summary.Executed} executed)");
    }
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
        var solution = Recipes.Solvers.Heat2d.SorSolver.Solve(problem, 1e-8, device: device);
        Console.WriteLine($"{size}: {clock.Elapsed.TotalMilliseconds:0.0} ms, {solution.Iterations} iterations, residual {solution.Residual:E2}");
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
    for (var i = 0; i < 3; i++)
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
BenchmarkSwitcher.FromAssembly(typeof(NoOpBenchmarks).Assembly).Run(args);
