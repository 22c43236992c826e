using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Plugins.Imaging;
using Recipes.Solvers.Gpu;

namespace Recipes.Solvers.Smoke;

/// <summary>
/// <c>simulate: { solver: smoke2d }</c>: a rising smoke plume in the unit square (stable fluids on a MAC grid, see
/// <see cref="SmokeSimulation"/>). Every physical setting may come from the sample's parameters (a parameter of the
/// same name wins), so a sweep over <c>wind_x</c> or <c>buoyancy</c> needs no template. Writes the density at the
/// recorded steps as <c>density.npy</c> [frames, N, N] (row 0 at the bottom), the final velocity at cell centres
/// <c>velocity.npy</c> [2, N, N] and temperature, the last frame as <c>image.png</c> and every frame at every size in
/// <c>frames/&lt;px&gt;/&lt;step&gt;.png</c> (grayscale, up is up).
/// </summary>
public sealed class SmokeSolver : StagePlugin
{
    public override string Name => "smoke2d";
    public override string Stage => StageNames.Simulate;
    public override int Version => 1;
    public override bool UsesSeed => true;
    public override string Summary => "Stable-fluids smoke plume (MAC grid, semi-Lagrangian advection, PCG projection, buoyancy, wind, vorticity confinement) as ILGPU kernels.";

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Int("size", "Cells per side of the unit square.", 64, min: 4, max: 4096),
        OptionSpec.Int("steps", "Time steps.", 100, min: 1),
        OptionSpec.Number("dt", "Time step, s (semi-Lagrangian advection is stable at any step; accuracy asks for a few cells per step at most).", 0.02, min: 1e-6),
        OptionSpec.Flag("open_top", "Smoke leaves through the top (pressure 0 above it); false closes the box.", true),
        OptionSpec.Number("buoyancy", "Upward acceleration per unit temperature.", 4.0),
        OptionSpec.Number("weight", "Downward acceleration per unit density.", 0.0),
        OptionSpec.Number("wind_x", "Horizontal acceleration per unit density: wind pushing the smoke.", 0.0),
        OptionSpec.Number("wind_y", "Vertical acceleration per unit density.", 0.0),
        OptionSpec.Number("vorticity", "Vorticity confinement strength ε (0: off).", 0.0, min: 0),
        OptionSpec.Number("dissipation", "Fraction of density lost per second.", 0.0, min: 0),
        OptionSpec.Number("cooling", "Fraction of temperature lost per second.", 0.0, min: 0),
        OptionSpec.Number("source_x", "Source centre, x in [0,1].", 0.5, min: 0, max: 1),
        OptionSpec.Number("source_y", "Source centre, y in [0,1].", 0.12, min: 0, max: 1),
        OptionSpec.Number("source_radius", "Source disk radius (0: no source).", 0.08, min: 0),
        OptionSpec.Number("source_density", "Density the source keeps its cells at (times the source noise).", 1.0, min: 0),
        OptionSpec.Number("source_temperature", "Temperature the source keeps its cells at (times the source noise).", 1.0, min: 0),
        OptionSpec.Number("force_strength", "Amplitude of the sample's random force field (0: none).", 0.0, min: 0),
        new OptionSpec("blob", OptionType.NumberList, "An initial disk of smoke: [x, y, radius, density, temperature]."),
        OptionSpec.Number("tolerance", "Projection: stop when max|div u| is at most this fraction of its value before.", 1e-4, min: 1e-9, max: 0.5),
        OptionSpec.Int("max_iterations", "Fail the node when the pressure solve needs more CG iterations than this.", 2000, min: 1),
        new OptionSpec("frames", OptionType.NumberList, "Steps after which density is recorded (default: the last step only)."),
        new OptionSpec("image_sizes", OptionType.NumberList, "Pixel sizes of the frame images, e.g. [64, 128, 256] (default: size)."),
        OptionSpec.Number("density_scale", "Density shown as white in the images.", 1.0, min: 1e-9),
    ];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        string? problem;
        try
        {
            problem = Scene(settings, ValueMap.Empty, 0).Problems().FirstOrDefault();
        }
        catch (PluginException e)
        {
            problem = e.Message;
        }
        if (problem is not null) yield return new OptionProblem("frames", problem);
        if (settings.Contains("image_sizes") && settings.GetDoubles("image_sizes").Any(s => s < 4 || s > 4096 || s != Math.Floor(s)))
            yield return new OptionProblem("image_sizes", "image sizes are whole pixel counts in [4, 4096]");
    }

    private static double Pick(ValueMap settings, ValueMap parameters, string name, double fallback) =>
        parameters.Contains(name) ? parameters.GetDouble(name) : settings.GetDouble(name, fallback);

    public static SmokeScene Scene(ValueMap settings, ValueMap parameters, ulong seed)
    {
        var random = new SeededRandom(seed);
        var (sourceSeed, forceSeed) = (random.NextBits(), random.NextBits());
        var steps = settings.GetInt("steps", 100);
        var defaults = new SmokeScene();
        return new SmokeScene
        {
            Size = parameters.Contains("size") ? parameters.GetInt("size") : settings.GetInt("size", 64),
            Steps = steps,
            Dt = Pick(settings, parameters, "dt", defaults.Dt),
            OpenTop = settings.GetBool("open_top", true),
            Buoyancy = Pick(settings, parameters, "buoyancy", defaults.Buoyancy),
            Weight = Pick(settings, parameters, "weight", 0),
            WindX = Pick(settings, parameters, "wind_x", 0),
            WindY = Pick(settings, parameters, "wind_y", 0),
            Vorticity = Pick(settings, parameters, "vorticity", 0),
            Dissipation = Pick(settings, parameters, "dissipation", 0),
            Cooling = Pick(settings, parameters, "cooling", 0),
            SourceX = Pick(settings, parameters, "source_x", defaults.SourceX),
            SourceY = Pick(settings, parameters, "source_y", defaults.SourceY),
            SourceRadius = Pick(settings, parameters, "source_radius", defaults.SourceRadius),
            SourceDensity = Pick(settings, parameters, "source_density", defaults.SourceDensity),
            SourceTemperature = Pick(settings, parameters, "source_temperature", defaults.SourceTemperature),
            ForceStrength = Pick(settings, parameters, "force_strength", 0),
            // As in the reference dataset, the source pattern and the force field have seeds of their own; a sample
            // parameter of that name pins one, otherwise both derive from the node's seed.
            SourceSeed = parameters.Contains("source_seed") ? (ulong)parameters.GetInt("source_seed") : sourceSeed,
            ForceSeed = parameters.Contains("force_seed") ? (ulong)parameters.GetInt("force_seed") : forceSeed,
            Blob = settings.Contains("blob") ? settings.GetDoubles("blob").ToArray() : null,
            Tolerance = settings.GetDouble("tolerance", 1e-4),
            MaxIterations = settings.GetInt("max_iterations", 2000),
            Frames = settings.Contains("frames") ? settings.GetDoubles("frames").Select(f => (int)f).ToList() : [steps],
        };
    }

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var scene = Scene(context.Settings, context.Parameters, context.Seed);
        if (scene.Problems().FirstOrDefault() is { } problem) throw new PluginException(problem);
        var result = Simulate(scene, context.Device, context.Threads, context.Progress, cancellationToken);
        Write(context, scene, result);
        return Task.CompletedTask;
    }

    public static SmokeResult Simulate(SmokeScene scene, DeviceKind requestedDevice, int threads, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var device = Devices.Resolve(requestedDevice);
        if (device == DeviceKind.Cuda)
            lock (Devices.CudaLock) return new SmokeSimulation(scene).Run(Devices.Cuda, progress, cancellationToken);
        if (threads > 1) return new SmokeSimulation(scene).Run(Devices.CpuBatch, progress, cancellationToken);
        var accelerator = Devices.RentCpu();
        try
        {
            return new SmokeSimulation(scene).Run(accelerator, progress, cancellationToken);
        }
        finally
        {
            Devices.ReturnCpu(accelerator);
        }
    }

    private static void Write(PluginContext context, SmokeScene scene, SmokeResult result)
    {
        var n = result.Size;
        var frames = result.Density.Count;
        var stacked = new float[frames * n * n];
        for (var f = 0; f < frames; f++) result.Density[f].CopyTo(stacked, f * n * n);
        NpyFile.Write(context.OutputPath("density.npy"), new NpyArray([frames, n, n], stacked));
        var velocity = new float[2 * n * n];
        for (var c = 0; c < n * n; c++)
        {
            var (i, j) = (c % n, c / n);
            velocity[c] = 0.5f * (result.FaceU[j * (n + 1) + i] + result.FaceU[j * (n + 1) + i + 1]);
            velocity[n * n + c] = 0.5f * (result.FaceV[j * n + i] + result.FaceV[(j + 1) * n + i]);
        }
        NpyFile.Write(context.OutputPath("velocity.npy"), new NpyArray([2, n, n], velocity));
        NpyFile.Write(context.OutputPath("temperature.npy"), new NpyArray([n, n], result.Temperature));

        var scale = (float)context.Settings.GetDouble("density_scale", 1.0);
        var sizes = context.Settings.Contains("image_sizes") ? context.Settings.GetDoubles("image_sizes").Select(s => (int)s).ToList() : [n];
        for (var f = 0; f < frames; f++)
        {
            var image = GrayImage.FromField(result.Density[f], n, n, scale);
            foreach (var size in sizes)
                image.Resize(size, size).SavePng(context.OutputPath($"frames/{size}/{result.FrameSteps[f].ToString("D4", CultureInfo.InvariantCulture)}.png"));
            if (f == frames - 1) image.Resize(sizes[0], sizes[0]).SavePng(context.OutputPath("image.png"));
        }

        context.Metrics["max_relative_divergence"] = result.MaxRelativeDivergence;
        context.Metrics["max_divergence"] = result.MaxDivergence;
        context.Metrics["cg_iterations_max"] = result.MaxIterations;
        context.Metrics["cg_iterations_mean"] = Math.Round(result.MeanIterations, 2);
        context.Metrics["mass_first"] = result.Mass.Count > 0 ? result.Mass[0] : 0;
        context.Metrics["mass_last"] = result.Mass.Count > 0 ? result.Mass[^1] : 0;
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{n}x{n}, {scene.Steps} steps of {scene.Dt} s; projection: divergence down to {result.MaxRelativeDivergence:E1} of its value, {result.MeanIterations:0.0} CG iterations per step (max {result.MaxIterations})"));
    }
}
