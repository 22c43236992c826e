using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Plugins.Imaging;
using Recipes.Solvers.Gpu;

namespace Recipes.Solvers.Heat2d;

/// <summary>
/// <c>heat2d</c>: the steady state of the heat equation on [0,1]² with the boundary held at 0 and hot disks held at
/// their temperature, as in reference workflow 2. The sample's parameters choose the disks: <c>disks</c> (a list of
/// [x, y, radius, temperature]) if present, else <c>sources</c> disks (drawn from 1–5 when absent) with centres drawn
/// from the node's seed in <c>centre_range</c>, of <c>radius</c> and <c>temperature</c>.
/// </summary>
public sealed class Heat2dSolver : StagePlugin
{
    public override string Name => "heat2d";
    public override string Stage => StageNames.Simulate;
    public override int Version => 1;
    public override string Summary => "Steady heat on [0,1]^2 with hot disks: red-black SOR as ILGPU kernels (CPU, or CUDA when present).";
    public override bool UsesSeed => true;

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Int("size", "Grid nodes per side (spacing 1/(size-1)); a sample parameter 'size' wins.", 64, min: 3, max: 4096),
        OptionSpec.Number("tolerance", "Stop when the max-norm of the unscaled 5-point residual is at most this.", 1e-8, min: 1e-15),
        OptionSpec.Int("max_iterations", "Give up (and fail the node) after this many SOR iterations.", 200_000, min: 8),
        OptionSpec.Number("radius", "Disk radius; a sample parameter 'radius' wins.", 0.05, min: 0),
        OptionSpec.Number("temperature", "Disk temperature; a sample parameter 'temperature' wins.", 1.0),
        OptionSpec.Int("min_sources", "Fewest disks when the sample has no 'sources' parameter.", 1, min: 0),
        OptionSpec.Int("max_sources", "Most disks when the sample has no 'sources' parameter.", 5, min: 0),
        new OptionSpec("centre_range", OptionType.NumberList, "Disk centres are drawn uniformly in [low, high]^2.") { Default = new JsonArray(0.2, 0.8) },
        OptionSpec.Int("preview_scale", "Pixels per grid node in preview.png.", 4, min: 1, max: 16),
    ];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        if (settings.GetInt("min_sources", 1) > settings.GetInt("max_sources", 5))
            yield return new OptionProblem("min_sources", "min_sources is larger than max_sources");
        var range = settings.GetDoubles("centre_range");
        if (range.Count != 2 || range[0] > range[1] || range[0] < 0 || range[1] > 1)
            yield return new OptionProblem("centre_range", "give [low, high] with 0 <= low <= high <= 1");
    }

    /// <summary>The disks of one sample: [x, y, radius, temperature] each.</summary>
    public static IReadOnlyList<double[]> Disks(ValueMap settings, ValueMap parameters, ulong seed)
    {
        if (parameters.TryGet("disks", out var explicitDisks) && explicitDisks is JsonArray list)
        {
            return list.Select((d, i) => d is JsonArray a && a.Count == 4
                ? a.Select((v, k) => ValueMap.ToDouble($"disks[{i}][{k}]", v)).ToArray()
                : throw new PluginException($"disks[{i}] should be [x, y, radius, temperature]")).ToList();
        }
        var random = new SeededRandom(seed);
        var count = parameters.Contains("sources")
            ? parameters.GetInt("sources")
            : random.Int(settings.GetInt("min_sources", 1), settings.GetInt("max_sources", 5));
        var radius = parameters.Contains("radius") ? parameters.GetDouble("radius") : settings.GetDouble("radius", 0.05);
        var temperature = parameters.Contains("temperature") ? parameters.GetDouble("temperature") : settings.GetDouble("temperature", 1.0);
        var range = settings.GetDoubles("centre_range");
        return Enumerable.Range(0, count)
            .Select(_ => new[] { random.Uniform(range[0], range[1]), random.Uniform(range[0], range[1]), radius, temperature })
            .ToList();
    }

    public static HeatProblem Problem(int size, IEnumerable<double[]> disks)
    {
        var problem = new HeatProblem(size);
        foreach (var d in disks) problem.AddDisk(d[0], d[1], d[2], d[3]);
        return problem;
    }

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var size = context.Parameters.Contains("size") ? context.Parameters.GetInt("size") : context.Settings.GetInt("size", 64);
        var disks = Disks(context.Settings, context.Parameters, context.Seed);
        var problem = Problem(size, disks);
        var device = Devices.Resolve(context.Device);
        var tolerance = context.Settings.GetDouble("tolerance", 1e-8);
        var maxIterations = context.Settings.GetInt("max_iterations", 200_000);
        var solution = SorSolver.Solve(problem, tolerance, maxIterations, device, cancellationToken);
        if (solution.Residual > tolerance)
            throw new PluginException($"SOR did not reach the tolerance {tolerance:E1} in {solution.Iterations} iterations (residual {solution.Residual:E2}); raise max_iterations");

        var input = problem.InitialField();
        var steady = solution.Field.Select(v => (float)v).ToArray();
        NpyFile.Write(context.OutputPath("input.npy"), new NpyArray([size, size], input));
        NpyFile.Write(context.OutputPath("steady.npy"), new NpyArray([size, size], steady));

        var scale = context.Settings.GetInt("preview_scale", 4);
        var image = new RgbImage(2 * size * scale + 4, size * scale);
        image.DrawField(input, size, 0, 0, scale, 0, 1, inferno: true);
        image.DrawField(steady, size, size * scale + 4, 0, scale, 0, 1, inferno: true);
        image.SavePng(context.OutputPath("preview.png"));

        context.Metrics["iterations"] = solution.Iterations;
        context.Metrics["residual"] = solution.Residual;
        context.Metrics["sources"] = disks.Count;
        context.Log.WriteLine($"{size}x{size}, {disks.Count} disks, {solution.Iterations} SOR iterations on {device.Name()}, residual {solution.Residual:E2}");
        return Task.CompletedTask;
    }
}
