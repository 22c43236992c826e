using Recipes.Training.GraphNetworks;

namespace Recipes.Training.Tests.GraphNetworks;

/// <summary>LagrangeBench's metrics on cases whose answers are known.</summary>
public sealed class LagrangeBenchMetricsTests
{
    private const int Particles = 12;

    /// <summary>A 4×3 block drifting right by 0.01 per frame: every frame's positions, flattened.</summary>
    private static Trajectory Drift(int steps, double speed = 0.01)
    {
        var positions = new float[steps * Particles * 2];
        for (var t = 0; t < steps; t++)
            for (var i = 0; i < Particles; i++)
            {
                positions[(t * Particles + i) * 2] = (float)(0.1 * (i % 4) + speed * t);
                positions[(t * Particles + i) * 2 + 1] = (float)(0.1 * (i / 4));
            }
        return new Trajectory("drift", steps, Particles, positions, new int[Particles]);
    }

    [Fact]
    public void WindowsAreConsecutiveChunksOfSixInputAndTwentyPredictedFrames()
    {
        var trajectory = Drift(60);
        var windows = LagrangeBenchMetrics.Windows(trajectory).ToList();
        Assert.Equal(2, windows.Count);   // 60 frames hold two windows of 26; the last 8 frames are left, as in LagrangeBench
        Assert.All(windows, w => Assert.Equal(26, w.Steps));
        Assert.Equal(trajectory.At(26).ToArray(), windows[1].At(0).ToArray());
        Assert.Empty(LagrangeBenchMetrics.Windows(Drift(25)));
    }

    [Fact]
    public void ARigidShiftGivesItsSquaredLengthPerAxisAsEveryStepsMse()
    {
        var truth = LagrangeBenchMetrics.Windows(Drift(26)).Single();
        var shifted = (float[])truth.Positions.Clone();
        var size = Particles * 2;
        // Predicted frames shifted by (0.03, -0.04): every step's MSE is (0.03² + 0.04²) / 2, the given frames untouched.
        for (var t = LagrangeBenchMetrics.InputFrames; t < truth.Steps; t++)
            for (var i = 0; i < Particles; i++)
            {
                shifted[t * size + i * 2] += 0.03f;
                shifted[t * size + i * 2 + 1] -= 0.04f;
            }
        var steps = LagrangeBenchMetrics.StepMse(shifted, truth);
        Assert.Equal(20, steps.Length);
        Assert.All(steps, s => Assert.Equal((0.03 * 0.03 + 0.04 * 0.04) / 2, s, 1e-8));
        Assert.Equal(0.00125, LagrangeBenchMetrics.Mean(steps, 5), 1e-8);
        Assert.Equal(0, LagrangeBenchMetrics.StepMse(truth.Positions, truth).Max());
    }

    [Fact]
    public void IdenticalCloudsHaveNoSinkhornDivergenceAndAShiftedOneHasOneThatGrowsWithTheShift()
    {
        var cloud = Drift(1).Positions;
        Assert.True(LagrangeBenchMetrics.SinkhornDivergence(cloud, cloud, 2) < 1e-12);
        double Shifted(float dx) => LagrangeBenchMetrics.SinkhornDivergence(cloud, cloud.Select((v, k) => k % 2 == 0 ? v + dx : v).ToArray(), 2);
        var (small, large) = (Shifted(0.05f), Shifted(0.2f));
        Assert.True(small > 0 && large > small, $"divergence {small} at 0.05, {large} at 0.2");
        // For a rigid shift the divergence is the squared shift (the plan is the translation) up to the entropic bias.
        Assert.InRange(large, 0.5 * 0.04, 1.5 * 0.04);
    }

    [Fact]
    public void ACloudThatLeftTheBoxFarBehindStillHasAFiniteDivergence()
    {
        // One particle 100 m away: exp(-100² / 0.1) underflows to 0, which made the scaling iterations divide by zero
        // (the evaluator then reported null). In the log domain the divergence is finite and large.
        var cloud = Drift(1).Positions;
        var flung = (float[])cloud.Clone();
        flung[0] += 100f;
        var divergence = LagrangeBenchMetrics.SinkhornDivergence(flung, cloud, 2);
        Assert.True(double.IsFinite(divergence), $"divergence {divergence}");
        // About the moved particle's share of the squared distance: (100² / 12) within the entropic bias.
        Assert.InRange(divergence, 0.5 * 10_000 / 12.0, 1.5 * 10_000 / 12.0);
    }

    [Fact]
    public void ThinningKeepsEveryKthParticleAndTheDivergenceOfAShiftStaysTheShift()
    {
        var cloud = Drift(1).Positions;
        var thinned = LagrangeBenchMetrics.Thin(cloud, 2, 5);
        // Particles 0, 5 and 10 of 12: ⌈12 / 5⌉ = 3.
        Assert.Equal(new[] { cloud[0], cloud[1], cloud[10], cloud[11], cloud[20], cloud[21] }, thinned);
        Assert.Equal(cloud, LagrangeBenchMetrics.Thin(cloud, 2, 1));

        // A whole rollout shifted by 0.2 along x after its given frames: the thinned divergence is still about the
        // squared shift, and identical rollouts still give 0.
        var truth = Drift(30);
        var shifted = (float[])truth.Positions.Clone();
        for (var k = 6 * Particles * 2; k < shifted.Length; k += 2) shifted[k] += 0.2f;
        Assert.InRange(LagrangeBenchMetrics.Sinkhorn(shifted, truth, 5, particles: 4), 0.5 * 0.04, 1.5 * 0.04);
        Assert.True(LagrangeBenchMetrics.Sinkhorn(truth.Positions, truth, 5, particles: 4) < 1e-12);
    }

    [Fact]
    public void AFrozenPredictionHasNoKineticEnergyAndMissesAllOfTheTruths()
    {
        const double dt = 0.01, dx = 0.02;
        var truth = Drift(40);
        var frozen = new float[truth.Positions.Length];
        for (var t = 0; t < truth.Steps; t++) truth.At(Math.Min(t, 5)).CopyTo(frozen.AsSpan(t * Particles * 2));
        // The truth moves 0.01 per frame along x: E = dx² · 12 · (0.01 / dt)² at every compared frame.
        var truthEnergy = dx * dx * Particles * Math.Pow(0.01 / dt, 2);
        Assert.Equal(truthEnergy * truthEnergy, LagrangeBenchMetrics.KineticEnergyMse(frozen, truth, 5, dt, dx), 1e-6 * truthEnergy * truthEnergy);
        Assert.Equal(0, LagrangeBenchMetrics.KineticEnergyMse(truth.Positions, truth, 5, dt, dx), 1e-12);
    }
}
