using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recipes.Adaptive;
using Recipes.Cache;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Materialization;
using Recipes.Recipe;

namespace Recipes.Benchmarks;

/// <summary>
/// Does adaptive sampling pay on recipes/adaptive-wall? For three recipe seeds, builds the recipe with the random,
/// sobol and adaptive samplers (real simulations, through the engine and its cache), fits the same surrogate (the
/// ensemble's mean) to the first N samples of each, and measures its error on a fixed held-out set of 400 samples
/// drawn uniformly with another seed. Prints a table and writes a PNG of test error against simulations.
/// Run: <c>dotnet run -c Release --project tests/Recipes.Benchmarks -- adaptive-curve OUT.png [WORK_DIR]</c>
/// </summary>
public static class AdaptiveCurve
{
    private const int Initial = 16;
    private const int Batch = 8;
    private const int Rounds = 14;
    private const int TestSamples = 400;
    private static readonly long[] Seeds = [11, 12, 13];
    private static readonly string[] Samplers = ["random", "sobol", "adaptive"];

    public static int Run(string[] args)
    {
        var png = args.Length > 0 ? args[0] : "adaptive-curve.png";
        var work = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "recipes-adaptive-curve");
        var source = Path.Combine(FindRepository(), "recipes", "adaptive-wall");
        Directory.CreateDirectory(work);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(work, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
        var total = Initial + Rounds * Batch;
        var counts = Enumerable.Range(0, Rounds + 1).Select(r => Initial + r * Batch).ToArray();
        var test = Build(work, "test", ["parameters.sampler=random", $"parameters.samples={TestSamples}", "seed=1000"], 0);
        // The surrogate the recipe's rounds use, with the recipe's settings, learning the recipe's target.
        var settings = new RecipeLoader(Cli.RecipeSession.Registry).Load(Path.Combine(work, "recipe.yaml"), []).Adaptive!;
        var errors = new Dictionary<string, double[][]>();
        foreach (var sampler in Samplers)
        {
            errors[sampler] = Seeds.Select(seed =>
            {
                string[] sets = sampler == "adaptive"
                    ? [$"parameters.adaptive.initial={Initial}", $"parameters.adaptive.batch={Batch}", $"parameters.adaptive.rounds={Rounds}", $"seed={seed}"]
                    : [$"parameters.sampler={sampler}", $"parameters.samples={total}", $"seed={seed}"];
                var samples = Build(work, $"{sampler}-{seed}", sets, seed);
                return counts.Select(n => TestError(samples.Take(n).ToList(), test, settings, (ulong)seed)).ToArray();
            }).ToArray();
        }

        var table = new StringBuilder();
        table.AppendLine("| simulations | " + string.Join(" | ", Samplers.Select(s => $"{s} (mean ± sd)")) + " |");
        table.AppendLine("| ---: | " + string.Join(" | ", Samplers.Select(_ => "---:")) + " |");
        for (var k = 0; k < counts.Length; k++)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {counts[k]} |");
            foreach (var sampler in Samplers)
            {
                var values = errors[sampler].Select(e => e[k]).ToArray();
                table.Append(CultureInfo.InvariantCulture, $" {values.Average():0.000} ± {Deviation(values):0.000} |");
            }
            table.AppendLine();
        }
        Console.Write(table);
        var sobolFinal = errors["sobol"].Select(e => e[^1]).Average();
        var reached = counts.Zip(Enumerable.Range(0, counts.Length)).FirstOrDefault(p => errors["adaptive"].Select(e => e[p.Second]).Average() <= sobolFinal).First;
        Console.WriteLine(reached == 0
            ? $"adaptive does not reach sobol's final error {sobolFinal:0.000} within {total} simulations"
            : $"adaptive reaches sobol's final error ({sobolFinal:0.000} at {total} simulations) with {reached} simulations ({(double)reached / total:P0})");

        var chart = new Recipes.Plotting.Plots.LineChart("Surrogate test error against simulations (adaptive-wall, mean of 3 seeds)", "simulations", "test RMSE (m)", logY: true, integerX: true);
        foreach (var sampler in Samplers)
            chart.Add(sampler, counts.Select((n, k) => ((double)n, errors[sampler].Select(e => e[k]).Average())), markers: true);
        chart.Level($"sobol at {total}", sobolFinal);
        chart.SavePng(png);
        Console.WriteLine($"wrote {png}");
        return 0;
    }

    private sealed record Point(double[] Unit, double Range);

    /// <summary>Builds the recipe with these settings in its own cache and out/, and returns its samples in manifest order.</summary>
    private static List<Point> Build(string work, string name, string[] sets, long seed)
    {
        var recipe = new RecipeLoader(Cli.RecipeSession.Registry).Load(Path.Combine(work, "recipe.yaml"), sets);
        var cache = new CacheStore(Path.Combine(work, ".recipes"));
        var output = Path.Combine(work, "out-" + name);
        var options = new BuildOptions { Jobs = Environment.ProcessorCount, OutputRoot = output };
        var graph = AdaptiveExpansion.Plan(recipe, cache);
        var result = AdaptiveBuild.BuildAsync(new BuildEngine(cache), cache, graph, options, Reporting.NullReporter.Instance, CancellationToken.None).GetAwaiter().GetResult();
        if (result.Summary.Failed > 0) throw new InvalidOperationException($"{name}: {result.Summary.Failed} nodes failed");
        new OutputMaterializer(cache).Materialize(result, output);
        Console.Error.WriteLine($"{name} (seed {seed}): {result.Summary.Executed} executed, {result.Summary.Cached} cached");
        var root = Path.Combine(output, recipe.Name);
        var target = (recipe.Adaptive ?? new RecipeLoader(Cli.RecipeSession.Registry).Load(Path.Combine(work, "recipe.yaml"), []).Adaptive!).Target;
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "manifest.json")))!["samples"]!.AsArray();
        return manifest.Select(s =>
        {
            var parameters = s!["parameters"]!;
            var unit = new[] { (parameters["angle"]!.GetValue<double>() - 10) / 70, (parameters["speed"]!.GetValue<double>() - 8) / 22 };
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "samples", s["id"]!.GetValue<string>(), "simulate", "result.json")))!;
            return new Point(unit, json[target]!.GetValue<double>());
        }).ToList();
    }

    private static double TestError(List<Point> training, List<Point> test, AdaptiveSettings settings, ulong seed)
    {
        var surrogate = EnsembleSurrogate.Fit(training.Select(p => p.Unit).ToList(), training.Select(p => p.Range).ToList(), settings.Members, settings.Features, settings.LengthScale, seed);
        return Math.Sqrt(test.Average(p => Math.Pow(surrogate.Predict(p.Unit).Mean - p.Range, 2)));
    }

    private static double Deviation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Length - 1));
    }

    private static string FindRepository()
    {
        var directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "Recipes.sln"))) directory = Path.GetDirectoryName(directory);
        return directory ?? throw new InvalidOperationException("run from inside the repository");
    }
}
