namespace Recipes.Solvers.Smoke;

/// <summary>One smoke simulation: grid, time stepping, forces, the source and what to record.</summary>
public sealed record SmokeScene
{
    /// <summary>Cells per side of the unit square.</summary>
    public int Size { get; init; } = 64;

    public int Steps { get; init; } = 100;
    public double Dt { get; init; } = 0.02;
    public bool OpenTop { get; init; } = true;

    /// <summary>Upward acceleration per unit temperature.</summary>
    public double Buoyancy { get; init; } = 4.0;

    /// <summary>Downward acceleration per unit density.</summary>
    public double Weight { get; init; }

    /// <summary>Acceleration per unit density: wind pushes the smoke-laden air.</summary>
    public double WindX { get; init; }

    public double WindY { get; init; }
    public double Vorticity { get; init; }

    /// <summary>Fraction of density lost per second.</summary>
    public double Dissipation { get; init; }

    /// <summary>Fraction of temperature lost per second.</summary>
    public double Cooling { get; init; }

    public double SourceX { get; init; } = 0.5;
    public double SourceY { get; init; } = 0.12;
    public double SourceRadius { get; init; } = 0.08;
    public double SourceDensity { get; init; } = 1.0;
    public double SourceTemperature { get; init; } = 1.0;

    /// <summary>Seeds the source's per-cell strength (a fixed pattern in [0.6, 1]).</summary>
    public ulong SourceSeed { get; init; }

    /// <summary>Seeds a smooth random force field of <see cref="ForceStrength"/> (a few random Fourier modes).</summary>
    public ulong ForceSeed { get; init; }

    public double ForceStrength { get; init; }

    /// <summary>An initial disk of smoke: x, y, radius, density, temperature (tests: a hot blob, mass conservation).</summary>
    public double[]? Blob { get; init; }

    /// <summary>The projection stops when the max-norm of the divergence is at most this fraction of its value before.</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Rescale advected density to the mass before minus the outflow (semi-Lagrangian advection alone drifts).</summary>
    public bool ConserveMass { get; init; } = true;

    public int MaxIterations { get; init; } = 2000;

    /// <summary>Steps after which the density is recorded (0 is the initial state).</summary>
    public IReadOnlyList<int> Frames { get; init; } = [100];

    public IEnumerable<string> Problems()
    {
        if (Size < 4) yield return "size must be at least 4 cells";
        if (Frames.Any(f => f < 0 || f > Steps)) yield return $"frames must lie in [0, steps={Steps}]";
        if (Blob is { Length: not 5 }) yield return "blob is [x, y, radius, density, temperature]";
        if (SourceRadius < 0) yield return "source_radius must not be negative";
    }
}
