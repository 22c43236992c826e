namespace Recipes.Solvers.Sph;

/// <summary>A block of fluid particles placed on a lattice: lower corner, size and initial velocity (2 or 3 components).</summary>
public sealed record FluidBlock(double[] Origin, double[] Size, double[] Velocity);

/// <summary>
/// Everything a weakly compressible SPH run needs: a box with solid walls, fluid blocks, the particle spacing (the
/// fidelity knob), the fluid's density and viscosity, gravity, duration and output interval. Derived quantities follow
/// the usual WCSPH choices: h = 1.3·dx, Wendland C2 support 2h, a numerical sound speed of ten times the fastest
/// expected flow speed (density fluctuations about 1%), Tait's equation of state with γ = 7.
/// </summary>
public sealed record SphScene
{
    public required int Dimensions { get; init; }
    public required double[] Box { get; init; }
    public required IReadOnlyList<FluidBlock> Blocks { get; init; }
    public required double Spacing { get; init; }
    public double Density { get; init; } = 1000;
    public double Viscosity { get; init; } = 1e-6;
    public double ArtificialViscosity { get; init; } = 0.02;
    public double Gravity { get; init; } = 9.81;
    public required double Duration { get; init; }
    public int OutputEvery { get; init; } = 20;
    public double? TimeStep { get; init; }
    public double SmoothingRatio { get; init; } = 1.3;
    public double SoundSpeedFactor { get; init; } = 10;
    public int WallLayers { get; init; } = 3;
    public SphScheme Scheme { get; init; } = SphScheme.Wcsph;

    /// <summary>DFSPH: time between recorded frames, s. Default: the WCSPH frame interval (output_every acoustic steps), so a
    /// recipe keeps its frame times, and its dataset's dt, whichever scheme it picks.</summary>
    public double? OutputInterval { get; init; }

    /// <summary>DFSPH: the CFL number λ of dt = λ·dx/max|v| (Bender and Koschier use 0.4 with the particle diameter).</summary>
    public double Cfl { get; init; } = 0.4;

    /// <summary>DFSPH: the largest step, s (SPlisHSPlasH's default cap); a set <see cref="TimeStep"/> lowers it.</summary>
    public double MaxTimeStep { get; init; } = 0.005;

    /// <summary>DFSPH: the smallest step, s, so a runaway particle slows the run down but cannot stall it.</summary>
    public double MinTimeStep { get; init; } = 1e-6;

    /// <summary>DFSPH: mean relative compression allowed after the constant-density solve (SPlisHSPlasH's default 0.01%).</summary>
    public double DensityTolerance { get; init; } = 1e-4;

    /// <summary>DFSPH: mean relative density change per step allowed after the divergence solve (SPlisHSPlasH's default 0.1%).</summary>
    public double DivergenceTolerance { get; init; } = 1e-3;

    /// <summary>DFSPH: iteration cap of each solve; a step that hits it is recorded, not refused.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// Largest random displacement of each fluid particle from its lattice site at t = 0, as a fraction of the spacing
    /// per axis (0: the lattice itself). LagrangeBench's dam break perturbs its initial lattice so that trajectories of
    /// one geometry differ; the offsets come from <see cref="JitterSeed"/>, so a node's trajectory stays repeatable.
    /// </summary>
    public double Jitter { get; init; }

    /// <summary>The seed of the <see cref="Jitter"/> offsets (the node's seed).</summary>
    public ulong JitterSeed { get; init; }

    public double SmoothingLength => SmoothingRatio * Spacing;

    /// <summary>
    /// Fastest speed to expect: free fall across the box's height, or the largest initial speed. It depends on the box,
    /// not on where the fluid starts, so every sample of a sweep gets the same sound speed and time step — the frames of
    /// a dataset then share one dt.
    /// </summary>
    public double ReferenceSpeed
    {
        get
        {
            var fall = Math.Sqrt(2 * Gravity * Math.Max(Box[1], Spacing));
            var launch = Blocks.Count == 0 ? 0 : Blocks.Max(b => Math.Sqrt(b.Velocity.Sum(v => v * v)));
            return Math.Max(fall, launch);
        }
    }

    public double SoundSpeed => SoundSpeedFactor * ReferenceSpeed;

    /// <summary>The acoustic CFL limit 0.25·h/(c + U) and the body-force limit 0.25·√(h/g).</summary>
    public double StableTimeStep
    {
        get
        {
            var h = SmoothingLength;
            var acoustic = 0.25 * h / (SoundSpeed + ReferenceSpeed);
            var forces = 0.25 * Math.Sqrt(h / Math.Max(Gravity, 1e-12));
            return Math.Min(acoustic, forces);
        }
    }

    /// <summary>The viscous diffusion limit 0.125·h²/ν.</summary>
    public double ViscousTimeStep => Viscosity > 0 ? 0.125 * SmoothingLength * SmoothingLength / Viscosity : double.PositiveInfinity;

    /// <summary>The fixed step: as set, or 80% of the acoustic and force limit.</summary>
    public double Step => TimeStep ?? 0.8 * StableTimeStep;

    /// <summary>The interval between recorded frames, s: fixed for the whole run, so every frame of a dataset shares one dt.</summary>
    public double FrameInterval => Scheme == SphScheme.Dfsph && OutputInterval is { } interval ? interval : OutputEvery * Step;

    /// <summary>DFSPH's largest step: the cap, the body-force limit 0.25·√(h/g), and never past the next frame.</summary>
    public double DfsphMaxStep => Math.Min(Math.Min(TimeStep ?? MaxTimeStep, 0.25 * Math.Sqrt(SmoothingLength / Math.Max(Gravity, 1e-12))), FrameInterval);

    /// <summary>Problems with the settings, each a sentence the user can act on.</summary>
    public IEnumerable<string> Problems()
    {
        if (Dimensions is not (2 or 3)) yield return $"dim must be 2 or 3, not {Dimensions}";
        if (Box.Length != Dimensions) yield return $"box needs {Dimensions} sizes, got {Box.Length}";
        if (Spacing <= 0) yield return "spacing must be positive";
        foreach (var (block, k) in Blocks.Select((b, k) => (b, k)))
        {
            if (block.Origin.Length != Dimensions || block.Size.Length != Dimensions || block.Velocity.Length != Dimensions)
                yield return $"fluid block {k} needs {Dimensions} coordinates for origin, size and velocity";
            else if (Enumerable.Range(0, Dimensions).Any(d => block.Origin[d] < 0 || block.Origin[d] + block.Size[d] > Box[d] + 1e-12))
                yield return $"fluid block {k} does not fit in the box";
            else if (block.Size.Any(s => s < Spacing))
                yield return $"fluid block {k} is thinner than one particle spacing ({Spacing})";
        }
        if (Scheme == SphScheme.Dfsph)
        {
            foreach (var problem in DfsphProblems()) yield return problem;
        }
        else if (TimeStep is { } dt && dt > StableTimeStep)
            yield return $"time step {dt:G3} s exceeds the stable limit {StableTimeStep:G3} s (acoustic CFL 0.25·h/(c+U) with c = {SoundSpeed:G3} m/s); lower dt or coarsen the spacing";
        if (Scheme == SphScheme.Wcsph && Step > ViscousTimeStep)
            yield return $"viscosity {Viscosity:G3} m²/s needs a time step below {ViscousTimeStep:G3} s (0.125·h²/ν) but the step is {Step:G3} s; lower the viscosity, set a smaller dt, or coarsen the spacing";
        if (Duration <= 0) yield return "duration must be positive";
    }

    private IEnumerable<string> DfsphProblems()
    {
        if (OutputInterval is <= 0) yield return "output_dt must be positive";
        if (Cfl is <= 0 or > 1) yield return $"cfl must be in (0, 1], not {Cfl}";
        if (DensityTolerance <= 0 || DivergenceTolerance <= 0) yield return "the DFSPH tolerances must be positive";
        if (MinTimeStep > DfsphMaxStep) yield return $"the smallest step {MinTimeStep:G3} s is above the largest {DfsphMaxStep:G3} s";
        if (DfsphMaxStep > ViscousTimeStep)
            yield return $"viscosity {Viscosity:G3} m²/s needs a time step below {ViscousTimeStep:G3} s (0.125·h²/ν) but steps may reach {DfsphMaxStep:G3} s; lower the viscosity or set a smaller dt";
    }
}
