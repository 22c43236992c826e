namespace Recipes.Training.GraphNetworks;

/// <summary>Steps of the <see cref="RolloutBaseline"/>s and their names in metrics.</summary>
public static class RolloutRules
{
    public static IReadOnlyList<RolloutBaseline> All { get; } = [RolloutBaseline.Frozen, RolloutBaseline.ConstantVelocity, RolloutBaseline.ConstantVelocityGravity];

    public static string Name(this RolloutBaseline baseline) => baseline switch
    {
        RolloutBaseline.Frozen => "frozen",
        RolloutBaseline.ConstantVelocity => "constant_velocity",
        _ => "constant_velocity_gravity",
    };

    /// <summary>The next positions from the current and previous ones (flat [particles × dim]).</summary>
    public static float[] Step(RolloutBaseline baseline, ReadOnlySpan<float> current, ReadOnlySpan<float> previous, GnsMetadata metadata)
    {
        var next = new float[current.Length];
        var dim = metadata.Dim;
        for (var k = 0; k < next.Length; k++)
        {
            var d = k % dim;
            double x = baseline switch
            {
                RolloutBaseline.Frozen => current[k],
                RolloutBaseline.ConstantVelocity => 2.0 * current[k] - previous[k],
                _ => Math.Clamp(2.0 * current[k] - previous[k] + metadata.AccelerationMean[d], metadata.Lower[d], metadata.Upper[d]),
            };
            next[k] = (float)x;
        }
        return next;
    }

    /// <summary>
    /// A rollout of <paramref name="baseline"/> over a whole trajectory: the first <paramref name="start"/> + 1 positions
    /// are the truth, every later one the rule applied to its own previous output; flat [steps × particles × dim].
    /// </summary>
    public static float[] Roll(RolloutBaseline baseline, Trajectory truth, int start, GnsMetadata metadata)
    {
        var size = truth.Particles * metadata.Dim;
        var positions = new float[truth.Steps * size];
        truth.Positions.AsSpan(0, (start + 1) * size).CopyTo(positions);
        for (var t = start; t < truth.Steps - 1; t++)
            Step(baseline, positions.AsSpan(t * size, size), positions.AsSpan((t - 1) * size, size), metadata).CopyTo(positions.AsSpan((t + 1) * size));
        return positions;
    }

    /// <summary>One-step prediction: the rule applied to the true positions at <paramref name="t"/> and before.</summary>
    public static float[] OneStep(RolloutBaseline baseline, Trajectory truth, int t, GnsMetadata metadata) =>
        Step(baseline, truth.At(t), truth.At(t - 1), metadata);
}
