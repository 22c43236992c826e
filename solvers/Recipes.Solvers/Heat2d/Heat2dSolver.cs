using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Plotting.Imaging;
using Recipes.Solvers.Gpu;

namespace Recipes.Solvers.Heat2d;

/// <summary>
/// <c>heat2d</c>: the steady state of the heat equation on [0,1]² with the boundary held at 0 and hot disks held at
/// their temperature, as in reference workflow 2. The sample's parameters choose the disks: <c>disks</c> (a list of
/// [x, y, radius, temperature]) if present, else <c>sources</c> disks (drawn from 1–5 when absent) with centres drawn
/// from the node's seed in <c>centre_range</c>, of <c>radius</c> and <c>temperature</c>. The <c>scheme</c> setting
/// chooses the method: multigrid V-cycles on the CPU (the default) or red-black SOR as ILGPU kernels (CPU or CUDA).
/// Drawn disks are written to <c>draws.json</c> (<see cref="SampleDraws"/>); explicit <c>disks</c> draw nothing and
/// write no such file.
/// </summary>
public sealed class Heat2dSolver : StagePlugin
{
    public override string Name => "heat2d";
    public override string Stage => StageNames.Simulate;
    // 2: multigrid became the default scheme; its steady states differ from SOR's below the tolerance.
    // 3: drawn disks are recorded in draws.json, a new output (the fields are unchanged).
    public override int Version => 3;
    public override string Summary => "Steady heat on [0,1]^2 with hot disks: geometric multigrid on the CPU, or red-black SOR as ILGPU kernels (CPU or CUDA).";
    public override bool UsesSeed => true;

    private static readonly Setting<int> Size = Settings.Int("size", "Grid nodes per side (spacing 1/(size-1)); a sample parameter 'size' wins.", 64, min: 3, max: 4096);
    private static readonly Setting<string> Scheme = Settings.Text("scheme",
        "multigrid: V-cycles in plain C# on the CPU, whatever the device (about 0.5 ms per 64^2 solve); sor: red-black SOR as ILGPU kernels, on CUDA when the device resolves to it.",
        "multigrid", "multigrid", "sor");
    private static readonly Setting<double> Tolerance = Settings.Number("tolerance", "Stop when the max-norm of the unscaled 5-point residual is at most this.", 1e-8, min: 1e-15);
    private static readonly Setting<int> MaxIterations = Settings.Int("max_iterations", "scheme sor: give up (and fail the node) after this many SOR iterations.", 200_000, min: 8);
    private static readonly Setting<int> MaxCycles = Settings.Int("max_cycles", "scheme multigrid: give up (and fail the node) after this many V-cycles.", 100, min: 1);
    private static readonly Setting<double> Radius = Settings.Number("radius", "Disk radius; a sample parameter 'radius' wins.", 0.05, min: 0);
    private static readonly Setting<double> Temperature = Settings.Number("temperature", "Disk temperature; a sample parameter 'temperature' wins.", 1.0);
    private static readonly Setting<int> MinSources = Settings.Int("min_sources", "Fewest disks when the sample has no 'sources' parameter.", 1, min: 0);
    private static readonly Setting<int> MaxSources = Settings.Int("max_sources", "Most disks when the sample has no 'sources' parameter.", 5, min: 0);
    private static readonly Setting<IReadOnlyList<double>> CentreRange = Settings.Numbers("centre_range", "Disk centres are drawn uniformly in [low, high]^2.", 0.2, 0.8);
    private static readonly Setting<int> PreviewScale = Settings.Int("preview_scale", "Pixels per grid node in preview.png.", 4, min: 1, max: 16);

    public override IReadOnlyList<OptionSpec> Options { get; } =
        [Size, Scheme, Tolerance, MaxIterations, MaxCycles, Radius, Temperature, MinSources, MaxSources, CentreRange, PreviewScale];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        if (MinSources.Read(settings) > MaxSources.Read(settings))
            yield return new OptionProblem(MinSources.Name, "min_sources is larger than max_sources");
        var range = CentreRange.Read(settings);
        if (range.Count != 2 || range[0] > range[1] || range[0] < 0 || range[1] > 1)
            yield return new OptionProblem(CentreRange.Name, "give [low, high] with 0 <= low <= high <= 1");
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
            : random.Int(MinSources.Read(settings), MaxSources.Read(settings));
        var radius = parameters.Contains("radius") ? parameters.GetDouble("radius") : Radius.Read(settings);
        var temperature = parameters.Contains("temperature") ? parameters.GetDouble("temperature") : Temperature.Read(settings);
        var range = CentreRange.Read(settings);
        return Enumerable.Range(0, count)
            .Select(_ => new[] { random.Uniform(range[0], range[1]), random.Uniform(range[0], range[1]), radius, temperature })
            .ToList();
    }

    /// <summary>
    /// Whether the sample draws anything: centres, and the count without a 'sources' parameter. Explicit disks, or
    /// 'sources: 0', draw nothing (a drawn count of 0 is still a draw, recorded as no disks).
    /// </summary>
    public static bool DrawsDisks(ValueMap parameters) =>
        !(parameters.TryGet("disks", out var explicitDisks) && explicitDisks is JsonArray) &&
        !(parameters.Contains("sources") && parameters.GetInt("sources") == 0);

    /// <summary>
    /// The draws record of drawn disks: every disk whole (x, y, radius, temperature), so a re-simulation needs nothing
    /// else, though only the centres and the count come from the seed; radius and temperature are copied from the
    /// parameters or settings that chose them.
    /// </summary>
    public static JsonObject DrawsRecord(IReadOnlyList<double[]> disks) => new()
    {
        ["disks"] = new JsonArray(disks.Select(d => (JsonNode?)new JsonObject
        {
            ["x"] = d[0],
            ["y"] = d[1],
            ["radius"] = d[2],
            ["temperature"] = d[3],
        }).ToArray()),
    };

    public static HeatProblem Problem(int size, IEnumerable<double[]> disks)
    {
        var problem = new HeatProblem(size);
        foreach (var d in disks) problem.AddDisk(d[0], d[1], d[2], d[3]);
        return problem;
    }

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var size = context.Parameters.Contains("size") ? context.Parameters.GetInt("size") : Size.Read(context.Settings);
        var disks = Disks(context.Settings, context.Parameters, context.Seed);
        var problem = Problem(size, disks);
        var tolerance = Tolerance.Read(context.Settings);
        var scheme = Scheme.Read(context.Settings) == "sor" ? HeatScheme.Sor : HeatScheme.Multigrid;
        HeatSolution solution;
        if (scheme == HeatScheme.Sor)
        {
            var maxIterations = MaxIterations.Read(context.Settings);
            solution = SorSolver.Solve(problem, tolerance, maxIterations, Devices.Resolve(context.Device), cancellationToken);
            if (solution.Residual > tolerance)
                throw new PluginException($"SOR did not reach the tolerance {tolerance:E1} in {solution.Iterations} iterations (residual {solution.Residual:E2}); raise max_iterations");
        }
        else
        {
            // Multigrid is CPU-only by design (see MultigridSolver): a requested CUDA device is not an error, since
            // the answer does not depend on it, but the log says where the solve ran and how to get the GPU path.
            if (context.Device == DeviceKind.Cuda)
                context.Log.WriteLine("device cuda requested: the multigrid scheme runs on the CPU; set scheme: sor for the CUDA kernels");
            var maxCycles = MaxCycles.Read(context.Settings);
            solution = MultigridSolver.Solve(problem, tolerance, maxCycles, cancellationToken);
            if (solution.Residual > tolerance)
                throw new PluginException($"multigrid did not reach the tolerance {tolerance:E1} in {solution.Iterations} V-cycles (residual {solution.Residual:E2}); raise max_cycles");
        }

        var input = problem.InitialField();
        var steady = solution.Field.Select(v => (float)v).ToArray();
        NpyFile.Write(context.OutputPath("input.npy"), new NpyArray([size, size], input));
        NpyFile.Write(context.OutputPath("steady.npy"), new NpyArray([size, size], steady));

        // Disks given as a parameter are in the manifest already; only drawn ones need recording.
        if (DrawsDisks(context.Parameters)) SampleDraws.Write(context, DrawsRecord(disks));

        var scale = PreviewScale.Read(context.Settings);
        var image = new RgbImage(2 * size * scale + 4, size * scale);
        image.DrawField(input, size, 0, 0, scale, 0, 1, inferno: true);
        image.DrawField(steady, size, size * scale + 4, 0, scale, 0, 1, inferno: true);
        image.SavePng(context.OutputPath("preview.png"));

        context.Metrics["scheme"] = scheme == HeatScheme.Sor ? "sor" : "multigrid";
        context.Metrics[scheme == HeatScheme.Sor ? "iterations" : "cycles"] = solution.Iterations;
        context.Metrics["residual"] = solution.Residual;
        context.Metrics["sources"] = disks.Count;
        var steps = scheme == HeatScheme.Sor ? "SOR iterations" : "multigrid V-cycles";
        context.Log.WriteLine($"{size}x{size}, {disks.Count} disks, {solution.Iterations} {steps} on {solution.Device}, residual {solution.Residual:E2}");
        return Task.CompletedTask;
    }
}
