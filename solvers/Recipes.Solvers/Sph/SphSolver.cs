using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Plotting.Imaging;
using Recipes.Solvers.Gpu;

namespace Recipes.Solvers.Sph;

/// <summary>
/// <c>simulate: { solver: sph }</c>: weakly compressible SPH in 2D or 3D (Wendland C2 kernel, cell lists, Tait
/// equation of state, laminar and artificial viscosity, gravity, walls of fixed particles with extrapolated pressure),
/// fixed time step checked against the CFL and viscous limits; or, with <c>scheme: dfsph</c>, divergence-free SPH
/// (Bender and Koschier) with a CFL time step and frames at a fixed output interval. Writes the fluid trajectory in the
/// layout of "Learning to Simulate Complex Physics with Graph Networks": positions [steps, particles, dim] and particle
/// types.
/// </summary>
public sealed class SphSolver : StagePlugin
{
    /// <summary>The particle type id of water in the Learning to Simulate datasets.</summary>
    public const int WaterType = 5;

    public override string Name => "sph";
    public override string Stage => StageNames.Simulate;
    public override int Version => 3;   // 3: the lower walls hold particles at the box (they could sink by the wall layers' width)
    public override string Summary => "SPH fluid in a box (2D or 3D), weakly compressible or divergence-free (DFSPH), as ILGPU kernels; trajectories for graph network simulators.";

    private static readonly Setting<int> Dim = Settings.Int("dim", "2 or 3 dimensions.", 2, min: 2, max: 3);
    private static readonly Setting<IReadOnlyList<double>> Box = Settings.Numbers("box", "Box size per dimension, m; walls on every side.", 1.6, 0.8);
    // No default array: the default block (0.4 m per side at the origin) takes the recipe's dimension, so a 3D recipe
    // whose block comes from sample parameters validates as written.
    private static readonly Setting<JsonNode?> Blocks = Settings.Any("blocks", "Fluid blocks: [{origin: [..], size: [..], velocity: [..]}]; default one block of 0.4 m per side at the origin. Sample parameters block_x, block_y, block_width, block_height (block_z, block_depth, block_vx, ...) define one block instead.",
        null);
    private static readonly Setting<double> Spacing = Settings.Number("spacing", "Particle spacing, m: the fidelity knob (a sample parameter 'spacing' wins).", 0.02, min: 1e-5);
    private static readonly Setting<double> Density = Settings.Number("density", "Rest density, kg/m^3.", 1000, min: 1e-6);
    private static readonly Setting<double> Viscosity = Settings.Number("viscosity", "Kinematic viscosity, m^2/s (a sample parameter 'viscosity' wins).", 1e-6, min: 0);
    private static readonly Setting<double> ArtificialViscosity = Settings.Number("artificial_viscosity", "Monaghan's alpha, for stability at the resolved scales.", 0.02, min: 0);
    private static readonly Setting<double> Gravity = Settings.Number("gravity", "m/s^2, pointing down the second axis (a sample parameter 'gravity' wins).", 9.81, min: 0);
    private static readonly Setting<double> Duration = Settings.Number("duration", "Simulated time, s (a sample parameter 'duration' wins).", 1.0, min: 1e-6);
    private static readonly Setting<int> OutputEvery = Settings.Int("output_every", "Write positions every this many time steps.", 20, min: 1);
    private static readonly Setting<int> WallLayers = Settings.Int("wall_layers", "Layers of wall particles.", 3, min: 1, max: 8);

    // wcsph stays the default: it is what every existing recipe and the dam-break datasets were made with, and a new
    // default would change their outputs. dfsph takes 10-40 times longer steps and suits long or large 3D scenes.
    private static readonly Setting<string> Scheme = Settings.Text("scheme", "Pressure: 'wcsph' (weakly compressible, acoustic time step) or 'dfsph' (divergence-free SPH, incompressible, CFL time step).", "wcsph", "wcsph", "dfsph");
    private static readonly Setting<double> Cfl = Settings.Number("cfl", "dfsph: CFL number, dt = cfl·spacing/max|v|.", 0.4, min: 0.01, max: 1);
    private static readonly Setting<double> DensityTolerance = Settings.Number("density_tolerance", "dfsph: mean relative compression left by the constant-density solve.", 1e-4, min: 1e-7, max: 0.1);
    private static readonly Setting<double> DivergenceTolerance = Settings.Number("divergence_tolerance", "dfsph: mean relative density change per step left by the divergence solve.", 1e-3, min: 1e-7, max: 0.1);

    // Without defaults: the scene derives them, and recipes that leave them out keep their keys.
    private static readonly Setting<double?> TimeStep = Settings.OptionalNumber("dt", "Fixed time step, s; refused when above the stable limit. Default: 0.8 of the limit. With dfsph: the largest step (default 0.005 s).");
    private static readonly Setting<double?> OutputInterval = Settings.OptionalNumber("output_dt", "dfsph: time between frames, s. Default: output_every times the wcsph step, the frame times wcsph would write.");
    private static readonly Setting<double?> Jitter = Settings.OptionalNumber("jitter", "Displace each fluid particle at t = 0 by up to this fraction of the spacing per axis, drawn from the node's seed (LagrangeBench's dam break perturbs its lattice so trajectories differ). Default: the plain lattice.", min: 0, max: 0.4);

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        Dim, Box, Blocks, Spacing, Density, Viscosity, ArtificialViscosity, Gravity, Duration, OutputEvery,
        TimeStep, WallLayers, Scheme, Cfl, DensityTolerance, DivergenceTolerance, OutputInterval, Jitter,
    ];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        SphScene scene;
        string? problem = null;
        try
        {
            scene = Scene(settings, ValueMap.Empty);
            problem = scene.Problems().FirstOrDefault();
        }
        catch (PluginException e)
        {
            problem = e.Message;
        }
        if (problem is not null) yield return new OptionProblem(Blocks.Name, problem);
    }

    private static double Pick(ValueMap settings, ValueMap parameters, Setting<double> setting) =>
        parameters.Contains(setting.Name) ? parameters.GetDouble(setting.Name) : setting.Read(settings);

    public static SphScene Scene(ValueMap settings, ValueMap parameters, ulong seed = 0)
    {
        var dim = Dim.Read(settings);
        var blocks = new List<FluidBlock>();
        if (parameters.Contains("block_width"))
        {
            string[] axes = ["x", "y", "z"];
            string[] sizes = ["width", "height", "depth"];
            blocks.Add(new FluidBlock(
                Enumerable.Range(0, dim).Select(d => parameters.Contains($"block_{axes[d]}") ? parameters.GetDouble($"block_{axes[d]}") : 0).ToArray(),
                Enumerable.Range(0, dim).Select(d => parameters.GetDouble($"block_{sizes[d]}")).ToArray(),
                Enumerable.Range(0, dim).Select(d => parameters.Contains($"block_v{axes[d]}") ? parameters.GetDouble($"block_v{axes[d]}") : 0).ToArray()));
        }
        else if ((Blocks.Read(settings) ?? DefaultBlock(dim)) is JsonArray array)
        {
            foreach (var (node, k) in array.Select((n, k) => (n, k)))
            {
                if (node is not JsonObject block) throw new PluginException($"blocks[{k}] should be {{origin: [..], size: [..], velocity: [..]}}");
                var map = new ValueMap(block.Select(e => new KeyValuePair<string, JsonNode?>(e.Key, e.Value)));
                blocks.Add(new FluidBlock(map.GetDoubles("origin").ToArray(), map.GetDoubles("size").ToArray(),
                    map.Contains("velocity") ? map.GetDoubles("velocity").ToArray() : new double[dim]));
            }
        }
        if (blocks.Count == 0) throw new PluginException("no fluid: give blocks, or block_width and block_height parameters");
        return new SphScene
        {
            Dimensions = dim,
            Box = Box.Read(settings).ToArray(),
            Blocks = blocks,
            Spacing = Pick(settings, parameters, Spacing),
            Density = Density.Read(settings),
            Viscosity = Pick(settings, parameters, Viscosity),
            ArtificialViscosity = ArtificialViscosity.Read(settings),
            Gravity = Pick(settings, parameters, Gravity),
            Duration = Pick(settings, parameters, Duration),
            OutputEvery = OutputEvery.Read(settings),
            TimeStep = TimeStep.Read(settings),
            WallLayers = WallLayers.Read(settings),
            Scheme = Scheme.Read(settings) == "dfsph" ? SphScheme.Dfsph : SphScheme.Wcsph,
            Cfl = Cfl.Read(settings),
            DensityTolerance = DensityTolerance.Read(settings),
            DivergenceTolerance = DivergenceTolerance.Read(settings),
            OutputInterval = OutputInterval.Read(settings),
            Jitter = Jitter.Read(settings) ?? 0,
            JitterSeed = seed,
        };
    }

    private static JsonArray DefaultBlock(int dim) => new(new JsonObject
    {
        ["origin"] = Repeat(0.0, dim),
        ["size"] = Repeat(0.4, dim),
        ["velocity"] = Repeat(0.0, dim),
    });

    private static JsonArray Repeat(double value, int count) => [.. Enumerable.Range(0, count).Select(_ => (JsonNode?)JsonValue.Create(value))];

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var scene = Scene(context.Settings, context.Parameters, context.Seed);
        if (scene.Problems().FirstOrDefault() is { } problem) throw new PluginException(problem);
        var device = Devices.Resolve(context.Device);
        SphResult result;
        if (device == DeviceKind.Cuda)
        {
            lock (Devices.CudaLock) result = new SphSimulation(scene).Run(Devices.Cuda, context.Progress, cancellationToken);
        }
        else if (context.Threads > 1)
        {
            result = new SphSimulation(scene).Run(Devices.CpuBatch, context.Progress, cancellationToken);
        }
        else
        {
            var accelerator = Devices.RentCpu();
            try
            {
                result = new SphSimulation(scene).Run(accelerator, context.Progress, cancellationToken);
            }
            finally
            {
                Devices.ReturnCpu(accelerator);
            }
        }
        Write(context, scene, result);
        return Task.CompletedTask;
    }

    private static void Write(PluginContext context, SphScene scene, SphResult result)
    {
        var dim = scene.Dimensions;
        var frames = result.Frames.Length;
        var positions = new float[frames * result.Fluid * dim];
        for (var f = 0; f < frames; f++) result.Frames[f].CopyTo(positions, f * result.Fluid * dim);
        NpyFile.Write(context.OutputPath("positions.npy"), new NpyArray([frames, result.Fluid, dim], positions));
        NpyFile.WriteInt32(context.OutputPath("particle_type.npy"), [result.Fluid], Enumerable.Repeat(WaterType, result.Fluid).ToArray());

        var csv = new StringBuilder("t,front_x,energy\n");
        for (var f = 0; f < frames; f++)
            csv.Append(CultureInfo.InvariantCulture, $"{result.Times[f]:R},{result.FrontX[f]:R},{result.Energy[f]:R}\n");
        File.WriteAllText(context.OutputPath("front.csv"), csv.ToString());
        var metadata = new JsonObject
        {
            ["dim"] = dim,
            ["dt"] = result.OutputDt,
            ["bounds"] = new JsonArray(scene.Box.Select(b => (JsonNode?)new JsonArray(0.0, b)).ToArray()),
            ["spacing"] = scene.Spacing,
            ["particles"] = result.Fluid,
            ["frames"] = frames,
        };
        File.WriteAllText(context.OutputPath("metadata.json"), metadata.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        DrawPreview(context.OutputPath("preview.png"), scene, result);

        context.Metrics["particles"] = result.Fluid;
        context.Metrics["wall_particles"] = result.Walls;
        context.Metrics["steps"] = result.Steps;
        context.Metrics["dt"] = result.Dt;
        context.Metrics["mass"] = result.Mass;
        context.Metrics["energy_first"] = result.Energy[0];
        context.Metrics["energy_last"] = result.Energy[^1];
        context.Metrics["energy_max"] = result.Energy.Max();
        context.Metrics["max_density_ratio"] = result.MaxDensityRatio;
        if (result.Dfsph is { } solver)
        {
            context.Metrics["scheme"] = "dfsph";
            context.Metrics["dt_min"] = solver.Dt.Min();
            context.Metrics["dt_max"] = solver.Dt.Max();
            context.Metrics["density_iterations_mean"] = solver.DensityIterations.Average();
            context.Metrics["density_iterations_max"] = solver.DensityIterations.Max();
            context.Metrics["density_error_max"] = solver.DensityError.Max();
            context.Metrics["divergence_iterations_mean"] = solver.DivergenceIterations.Average();
            context.Metrics["divergence_iterations_max"] = solver.DivergenceIterations.Max();
            context.Metrics["divergence_error_max"] = solver.DivergenceError.Max();
            context.Metrics["steps_at_iteration_cap"] = solver.DensityUnconverged + solver.DivergenceUnconverged;
            context.Log.WriteLine($"{result.Fluid} fluid and {result.Walls} wall particles, DFSPH: {result.Steps} steps of {solver.Dt.Min():E3}..{solver.Dt.Max():E3} s, {frames} frames {result.OutputDt:E3} s apart; " +
                $"density solve {solver.DensityIterations.Average():0.0} iterations per step (max {solver.DensityIterations.Max()}), divergence solve {solver.DivergenceIterations.Average():0.0} (max {solver.DivergenceIterations.Max()})");
        }
        else
        {
            context.Log.WriteLine($"{result.Fluid} fluid and {result.Walls} wall particles, {result.Steps} steps of {result.Dt:E3} s, {frames} frames");
        }
    }

    /// <summary>Five snapshots side by side (x–y plane), particles coloured by height.</summary>
    public static void DrawPreview(string path, SphScene scene, SphResult result)
    {
        const int panels = 5;
        var scale = 200 / scene.Box[1];
        var width = (int)(scene.Box[0] * scale);
        var height = (int)(scene.Box[1] * scale);
        var image = new RgbImage(panels * (width + 4), height, (235, 235, 235));
        for (var k = 0; k < panels; k++)
        {
            var frame = result.Frames[(int)((long)k * (result.Frames.Length - 1) / (panels - 1))];
            var x0 = k * (width + 4);
            image.Fill(x0, 0, width, height, (255, 255, 255));
            for (var i = 0; i < result.Fluid; i++)
            {
                var x = frame[i * scene.Dimensions];
                var y = frame[i * scene.Dimensions + 1];
                var color = ColorMap.Map(y, 0, scene.Box[1]);
                image.Fill(x0 + (int)(x * scale) - 1, height - 1 - (int)(y * scale) - 1, 2, 2, color);
            }
        }
        image.SavePng(path);
    }
}
