using Recipes.Training.GraphNetworks;

namespace Recipes.Training.Tests.GraphNetworks;

/// <summary>The evaluator's baselines and plausibility figures on trajectories whose answers are known.</summary>
public sealed class RolloutBaselineTests
{
    private const int Start = 5;
    private const int Steps = 40;
    private const double Acceleration = -9.81 * 0.01 * 0.01;   // gravity per step at dt = 0.01 s

    /// <summary>
    /// Free fall of a 5×4 block: x_t = x0 + u·t + ½·a·t² per coordinate, whose second difference is exactly a, so
    /// constant velocity with gravity is exact and constant velocity is off by a·h·(h+1)/2 after h steps.
    /// </summary>
    private static (Trajectory Truth, GnsMetadata Metadata) FreeFall(double lower = -10, double upper = 10)
    {
        const int particles = 20;
        var positions = new float[Steps * particles * 2];
        for (var t = 0; t < Steps; t++)
            for (var i = 0; i < particles; i++)
            {
                positions[(t * particles + i) * 2] = (float)(0.1 * (i % 5) + 0.005 * t);
                positions[(t * particles + i) * 2 + 1] = (float)(0.1 * (i / 5) - 0.01 * t + 0.5 * Acceleration * t * t);
            }
        var metadata = new GnsMetadata(2, 0.01, 0.15, [lower, lower], [upper, upper], [0, 0], [1, 1], [0, Acceleration], [1, 1]);
        return (new Trajectory("fall", Steps, particles, positions, new int[particles]), metadata);
    }

    [Fact]
    public void ConstantVelocityWithGravityIsExactInFreeFall()
    {
        var (truth, metadata) = FreeFall();
        var score = RolloutScore.Of(RolloutRules.Roll(RolloutBaseline.ConstantVelocityGravity, truth, Start, metadata), truth, Start, metadata);
        Assert.True(score.RolloutMse < 1e-9, $"rollout MSE {score.RolloutMse}");
        Assert.True(score.CentreOfMassError < 1e-4);
        Assert.True(score.FrontError < 1e-4);
        Assert.Equal(0, score.OutsideFraction);
        Assert.True(score.DensityDeviation < 1e-9);
    }

    [Fact]
    public void ConstantVelocityMissesGravityByTheKnownAmount()
    {
        var (truth, metadata) = FreeFall();
        var score = RolloutScore.Of(RolloutRules.Roll(RolloutBaseline.ConstantVelocity, truth, Start, metadata), truth, Start, metadata);
        var horizon = Steps - 1 - Start;
        // Only y is off, by a·h·(h+1)/2; the MSE averages over both coordinates.
        double Expected(int h) => Math.Pow(Acceleration * h * (h + 1) / 2, 2) / 2;
        Assert.Equal(Expected(horizon), score.MseAt100, Expected(horizon) * 1e-3);
        Assert.Equal(Expected((int)Math.Ceiling(0.5 * horizon)), score.MseAt50, Expected(horizon) * 1e-3);
        Assert.Equal(Enumerable.Range(1, horizon).Average(Expected), score.RolloutMse, Expected(horizon) * 1e-3);
        var frozen = RolloutScore.Of(RolloutRules.Roll(RolloutBaseline.Frozen, truth, Start, metadata), truth, Start, metadata);
        Assert.True(frozen.RolloutMse > score.RolloutMse, "standing still is worse than moving on");
    }

    /// <summary>
    /// The same free fall in 3D (a 3×3×3 block drifting along x and z, gravity down y, the second axis as in the SPH
    /// solver): the rules and scores take the dimension from the metadata, as the 3D dam-break recipe needs.
    /// </summary>
    [Fact]
    public void TheRulesAndScoresHoldIn3D()
    {
        const int particles = 27;
        var positions = new float[Steps * particles * 3];
        for (var t = 0; t < Steps; t++)
            for (var i = 0; i < particles; i++)
            {
                positions[(t * particles + i) * 3] = (float)(0.1 * (i % 3) + 0.005 * t);
                positions[(t * particles + i) * 3 + 1] = (float)(0.1 * (i / 3 % 3) - 0.01 * t + 0.5 * Acceleration * t * t);
                positions[(t * particles + i) * 3 + 2] = (float)(0.1 * (i / 9) - 0.002 * t);
            }
        var metadata = new GnsMetadata(3, 0.01, 0.15, [-10, -10, -10], [10, 10, 10], [0, 0, 0], [1, 1, 1], [0, Acceleration, 0], [1, 1, 1]);
        var truth = new Trajectory("fall-3d", Steps, particles, positions, new int[particles]);

        var gravity = RolloutScore.Of(RolloutRules.Roll(RolloutBaseline.ConstantVelocityGravity, truth, Start, metadata), truth, Start, metadata);
        Assert.True(gravity.RolloutMse < 1e-9, $"rollout MSE {gravity.RolloutMse}");
        Assert.Equal(0, gravity.OutsideFraction);
        Assert.True(gravity.DensityDeviation < 1e-9);

        // Constant velocity is off by a·h·(h+1)/2 in y only: the MSE averages over three coordinates now.
        var horizon = Steps - 1 - Start;
        var expected = Math.Pow(Acceleration * horizon * (horizon + 1) / 2, 2) / 3;
        var velocity = RolloutScore.Of(RolloutRules.Roll(RolloutBaseline.ConstantVelocity, truth, Start, metadata), truth, Start, metadata);
        Assert.Equal(expected, velocity.MseAt100, expected * 1e-3);
    }

    [Fact]
    public void OneStepBaselinesUseTheTrueHistory()
    {
        var (truth, metadata) = FreeFall();
        var next = RolloutRules.OneStep(RolloutBaseline.ConstantVelocity, truth, 10, metadata);
        var actual = truth.At(11);
        // One step of constant velocity is off by exactly one step of gravity, in y only.
        for (var i = 0; i < truth.Particles; i++)
        {
            Assert.Equal(actual[i * 2], next[i * 2], 5);
            Assert.Equal(actual[i * 2 + 1] - Acceleration, next[i * 2 + 1], 5);
        }
    }

    [Fact]
    public void LeavingTheBoxAndSpreadingOutAreCounted()
    {
        // A box whose floor the block falls through: the unclamped rule leaves it, the clamped one stops at the wall.
        var (truth, metadata) = FreeFall(lower: -0.2, upper: 10);
        var unclamped = RolloutScore.Of(RolloutRules.Roll(RolloutBaseline.ConstantVelocity, truth, Start, metadata), truth, Start, metadata);
        var clamped = RolloutScore.Of(RolloutRules.Roll(RolloutBaseline.ConstantVelocityGravity, truth, Start, metadata), truth, Start, metadata);
        Assert.True(unclamped.OutsideFraction > 0.1, $"outside {unclamped.OutsideFraction}");
        Assert.Equal(0, clamped.OutsideFraction);

        // A "rollout" that spreads the block to three times its spacing has lost most of its neighbours.
        var spread = (float[])truth.Positions.Clone();
        for (var k = (Start + 1) * truth.Particles * 2; k < spread.Length; k++) spread[k] *= 3;
        Assert.True(RolloutScore.Of(spread, truth, Start, metadata).DensityDeviation > 0.5);
    }
}
