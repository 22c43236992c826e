using Recipes.Plugins;
using Recipes.Solvers.Smoke;

namespace Recipes.Solvers.Tests.Smoke;

/// <summary>The smoke solver's physics on small grids: projection, conservation, determinism, buoyancy and wind.</summary>
public sealed class SmokeSimulationTests
{
    private static SmokeResult Run(SmokeScene scene) => SmokeSolver.Simulate(scene, DeviceKind.Cpu, threads: 1, progress: null, CancellationToken.None);

    private static readonly SmokeScene Plume = new() { Size = 32, Steps = 40, Vorticity = 0.2, WindX = 1.0, Frames = [40], SourceSeed = 3 };

    /// <summary>A hot disk in a closed box with no source: it rises, and nothing enters or leaves.</summary>
    private static readonly SmokeScene Blob = new() { Size = 32, Steps = 60, OpenTop = false, SourceRadius = 0, Blob = [0.5, 0.3, 0.12, 1, 1], Frames = [0, 20, 40, 60] };

    private static (double X, double Y) CentreOfMass(float[] density, int n)
    {
        double mass = 0, x = 0, y = 0;
        for (var c = 0; c < density.Length; c++)
        {
            mass += density[c];
            x += density[c] * (c % n + 0.5) / n;
            y += density[c] * (c / n + 0.5) / n;
        }
        return (x / mass, y / mass);
    }

    /// <summary>max|∇·u| of the final face velocities, recomputed here in double precision.</summary>
    private static double MaxDivergence(SmokeResult result)
    {
        var n = result.Size;
        var worst = 0.0;
        for (var c = 0; c < n * n; c++)
        {
            var (i, j) = (c % n, c / n);
            var divergence = (result.FaceU[j * (n + 1) + i + 1] - (double)result.FaceU[j * (n + 1) + i] + result.FaceV[(j + 1) * n + i] - (double)result.FaceV[j * n + i]) * n;
            worst = Math.Max(worst, Math.Abs(divergence));
        }
        return worst;
    }

    [Fact]
    public void ProjectionLeavesTheDivergenceBelowTheStatedTolerance()
    {
        var result = Run(Plume);
        Assert.True(result.MaxRelativeDivergence <= Plume.Tolerance, $"relative divergence {result.MaxRelativeDivergence:E2} after some projection");
        var speed = result.FaceU.Concat(result.FaceV).Max(Math.Abs);
        Assert.True(speed > 0.3, "the plume should be moving");
        // Scaled by the cell size and the speed, the divergence left is that of an almost exactly incompressible flow.
        Assert.True(MaxDivergence(result) / Plume.Size / speed < 1e-4, $"max|div u| = {MaxDivergence(result):E2} at speed {speed:F2}");

        var tight = Run(Plume with { Tolerance = 1e-5 });
        Assert.True(tight.MaxRelativeDivergence <= 1e-5, $"relative divergence {tight.MaxRelativeDivergence:E2} at tolerance 1e-5");
        Assert.True(MaxDivergence(tight) < MaxDivergence(result) / 3, "a tighter tolerance must leave less divergence");
        Assert.True(tight.MeanIterations > result.MeanIterations);
    }

    [Fact]
    public void DensityMassIsConservedWithoutSourceOrDissipation()
    {
        var result = Run(Blob);
        Assert.All(result.Mass, m => Assert.True(Math.Abs(m / result.Mass[0] - 1) < 1e-5, $"mass {m} vs {result.Mass[0]} at the start"));
        // The correction matters: bare semi-Lagrangian advection loses several per cent of the smoke here.
        var bare = Run(Blob with { ConserveMass = false });
        Assert.True(bare.Mass[^1] / bare.Mass[0] < 0.97, $"bare semi-Lagrangian kept {bare.Mass[^1] / bare.Mass[0]:P1}");
    }

    [Fact]
    public void TheSameSeedGivesTheSameBitsAndAnotherSeedOtherBits()
    {
        var first = Run(Plume with { ForceStrength = 0.5, ForceSeed = 9 });
        var second = Run(Plume with { ForceStrength = 0.5, ForceSeed = 9 });
        Assert.Equal(first.Density[^1], second.Density[^1]);
        Assert.Equal(first.FaceU, second.FaceU);
        var otherForce = Run(Plume with { ForceStrength = 0.5, ForceSeed = 10 });
        Assert.NotEqual(first.Density[^1], otherForce.Density[^1]);
        var otherSource = Run(Plume with { ForceStrength = 0.5, ForceSeed = 9, SourceSeed = 4 });
        Assert.NotEqual(first.Density[^1], otherSource.Density[^1]);
    }

    [Fact]
    public void AHotBlobRisesAndAColdOneStays()
    {
        var hot = Run(Blob);
        var heights = hot.Density.Select(d => CentreOfMass(d, Blob.Size).Y).ToList();
        Assert.True(heights.Zip(heights.Skip(1)).All(p => p.Second > p.First), $"heights {string.Join(", ", heights.Select(h => h.ToString("F3")))}");
        Assert.True(heights[^1] - heights[0] > 0.2, $"rose only {heights[^1] - heights[0]:F3}");
        var cold = Run(Blob with { Blob = [0.5, 0.3, 0.12, 1, 0] });
        Assert.Equal(cold.Density[0], cold.Density[^1]);
    }

    [Fact]
    public void WindShiftsThePlumeDownwind()
    {
        double Drift(double wind) => CentreOfMass(Run(new SmokeScene { Size = 32, Steps = 50, WindX = wind, Frames = [50] }).Density[0], 32).X;
        var (left, calm, right) = (Drift(-2), Drift(0), Drift(2));
        Assert.True(right - calm > 0.05, $"wind +2 moved the plume {right - calm:F3}");
        Assert.True(calm - left > 0.05, $"wind -2 moved the plume {left - calm:F3}");
    }
}
