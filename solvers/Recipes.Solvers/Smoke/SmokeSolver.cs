using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Plotting.Imaging;
using Recipes.Solvers.Gpu;

namespace Recipes.Solvers.Smoke;

/// <summary>
/// <c>simulate: { solver: smoke2d }</c>: a rising smoke plume in the unit square (stable fluids on a MAC grid, see
/// <see cref="SmokeSimulation"/>). Every physical setting may come from the sample's parameters (a parameter of the
/// same name wins), so a sweep over <c>wind_x</c> or <c>buoyancy</c> needs no template. Writes the density at the
/// recorded steps as <c>density.npy</c> [frames, N, N] (row 0 at the bottom), the final velocity at cell centres
/// <c>velocity.npy</c> [2, N, N] and temperature, the last frame as <c>image.png</c> and every frame at every size in
/// <c>frames/&lt;px&gt;/&lt;step&gt;.png</c> (grayscale, up is up), and what it drew in <c>draws.json</c>
/// (<see cref="SmokeDraws.Record"/>).
/// </summary>
public sealed class SmokeSolver : StagePlugin
{
    public override string Name => "smoke2d";
    public override string Stage => StageNames.Simulate;
    // 2: the source strengths and force modes drawn for a sample are recorded in draws.json, a new output.
    public override int Version => 2;
    public override bool UsesSeed => true;
    public override string Summary => "Stable-fluids smoke plume (MAC grid, semi-Lagrangian advection, PCG projection, buoyancy, wind, vorticity confinement) as ILGPU kernels.";

    private static readonly Setting<int> Size = Settings.Int("size", "Cells per side of the unit square.", 64, min: 4, max: 4096);
    private static readonly Setting<int> Steps = Settings.Int("steps", "Time steps.", 100, min: 1);
    private static readonly Setting<double> Dt = Settings.Number("dt", "Time step, s (semi-Lagrangian advection is stable at any step; accuracy asks for a few cells per step at most).", 0.02, min: 1e-6);
    private static readonly Setting<bool> OpenTop = Settings.Flag("open_top", "Smoke leaves through the top (pressure 0 above it); false closes the box.", true);
    private static readonly Setting<double> Buoyancy = Settings.Number("buoyancy", "Upward acceleration per unit temperature.", 4.0);
    private static readonly Setting<double> Weight = Settings.Number("weight", "Downward acceleration per unit density.", 0.0);
    private static readonly Setting<double> WindX = Settings.Number("wind_x", "Horizontal acceleration per unit density: wind pushing the smoke.", 0.0);
    private static readonly Setting<double> WindY = Settings.Number("wind_y", "Vertical acceleration per unit density.", 0.0);
    private static readonly Setting<double> Vorticity = Settings.Number("vorticity", "Vorticity confinement strength ε (0: off).", 0.0, min: 0);
    private static readonly Setting<double> Dissipation = Settings.Number("dissipation", "Fraction of density lost per second.", 0.0, min: 0);
    private static readonly Setting<double> Cooling = Settings.Number("cooling", "Fraction of temperature lost per second.", 0.0, min: 0);
    private static readonly Setting<double> SourceX = Settings.Number("source_x", "Source centre, x in [0,1].", 0.5, min: 0, max: 1);
    private static readonly Setting<double> SourceY = Settings.Number("source_y", "Source centre, y in [0,1].", 0.12, min: 0, max: 1);
    private static readonly Setting<double> SourceRadius = Settings.Number("source_radius", "Source disk radius (0: no source).", 0.08, min: 0);
    private static readonly Setting<double> SourceDensity = Settings.Number("source_density", "Density the source keeps its cells at (times the source noise).", 1.0, min: 0);
    private static readonly Setting<double> SourceTemperature = Settings.Number("source_temperature", "Temperature the source keeps its cells at (times the source noise).", 1.0, min: 0);
    private static readonly Setting<double> ForceStrength = Settings.Number("force_strength", "Amplitude of the sample's random force field (0: none).", 0.0, min: 0);
    private static readonly Setting<double> Tolerance = Settings.Number("tolerance", "Projection: stop when max|div u| is at most this fraction of its value before.", 1e-4, min: 1e-9, max: 0.5);
    private static readonly Setting<int> MaxIterations = Settings.Int("max_iterations", "Fail the node when the pressure solve needs more CG iterations than this.", 2000, min: 1);
    private static readonly Setting<double> DensityScale = Settings.Number("density_scale", "Density shown as white in the images.", 1.0, min: 1e-9);

    private static readonly Setting<IReadOnlyList<double>?> Blob = Settings.OptionalNumbers("blob", "An initial disk of smoke: [x, y, radius, density, temperature].");
    private static readonly Setting<IReadOnlyList<double>?> Frames = Settings.OptionalNumbers("frames", "Steps after which density is recorded (default: the last step only).");
    private static readonly Setting<IReadOnlyList<double>?> ImageSizes = Settings.OptionalNumbers("image_sizes", "Pixel sizes of the frame images, e.g. [64, 128, 256] (default: size).");

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        Size, Steps, Dt, OpenTop, Buoyancy, Weight, WindX, WindY, Vorticity, Dissipation, Cooling,
        SourceX, SourceY, SourceRadius, SourceDensity, SourceTemperature, ForceStrength,
        Blob,
        Tolerance,
        MaxIterations,
        Frames,
        ImageSizes,
        DensityScale,
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
        if (problem is not null) yield return new OptionProblem(Frames.Name, problem);
        if (ImageSizes.Read(settings) is { } sizes && sizes.Any(s => s < 4 || s > 4096 || s != Math.Floor(s)))
            yield return new OptionProblem(ImageSizes.Name, "image sizes are whole pixel counts in [4, 4096]");
    }

    private static double Pick(ValueMap settings, ValueMap parameters, Setting<double> setting) =>
        parameters.Contains(setting.Name) ? parameters.GetDouble(setting.Name) : setting.Read(settings);

    public static SmokeScene Scene(ValueMap settings, ValueMap parameters, ulong seed)
    {
        var random = new SeededRandom(seed);
        var (sourceSeed, forceSeed) = (random.NextBits(), random.NextBits());
        var steps = Steps.Read(settings);
        return new SmokeScene
        {
            Size = parameters.Contains("size") ? parameters.GetInt("size") : Size.Read(settings),
            Steps = steps,
            Dt = Pick(settings, parameters, Dt),
            OpenTop = OpenTop.Read(settings),
            Buoyancy = Pick(settings, parameters, Buoyancy),
            Weight = Pick(settings, parameters, Weight),
            WindX = Pick(settings, parameters, WindX),
            WindY = Pick(settings, parameters, WindY),
            Vorticity = Pick(settings, parameters, Vorticity),
            Dissipation = Pick(settings, parameters, Dissipation),
            Cooling = Pick(settings, parameters, Cooling),
            SourceX = Pick(settings, parameters, SourceX),
            SourceY = Pick(settings, parameters, SourceY),
            SourceRadius = Pick(settings, parameters, SourceRadius),
            SourceDensity = Pick(settings, parameters, SourceDensity),
            SourceTemperature = Pick(settings, parameters, SourceTemperature),
            ForceStrength = Pick(settings, parameters, ForceStrength),
            // As in the reference dataset, the source pattern and the force field have seeds of their own; a sample
            // parameter of that name pins one, otherwise both derive from the node's seed.
            SourceSeed = parameters.Contains("source_seed") ? (ulong)parameters.GetInt("source_seed") : sourceSeed,
            ForceSeed = parameters.Contains("force_seed") ? (ulong)parameters.GetInt("force_seed") : forceSeed,
            Blob = Blob.Read(settings)?.ToArray(),
            Tolerance = Tolerance.Read(settings),
            MaxIterations = MaxIterations.Read(settings),
            Frames = Frames.Read(settings)?.Select(f => (int)f).ToList() ?? [steps],
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

        var scale = (float)DensityScale.Read(context.Settings);
        var sizes = ImageSizes.Read(context.Settings)?.Select(s => (int)s).ToList() ?? [n];
        for (var f = 0; f < frames; f++)
        {
            var image = GrayImage.FromField(result.Density[f], n, n, scale);
            foreach (var size in sizes)
                image.Resize(size, size).SavePng(context.OutputPath($"frames/{size}/{result.FrameSteps[f].ToString("D4", CultureInfo.InvariantCulture)}.png"));
            if (f == frames - 1) image.Resize(sizes[0], sizes[0]).SavePng(context.OutputPath("image.png"));
        }

        // On one line: a 256² source is 1,806 strengths, and one a line would double the file.
        SampleDraws.Write(context, SmokeDraws.Record(scene), indented: false);

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
