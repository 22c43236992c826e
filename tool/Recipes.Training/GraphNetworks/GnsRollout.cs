using static TorchSharp.torch;

namespace Recipes.Training.GraphNetworks;

/// <summary>A model's predictions for the evaluator and the trainer's validation: one step, or a rollout fed its own output.</summary>
public static class GnsRollout
{
    /// <summary>The next positions from a window of History+1 positions.</summary>
    public static float[] Predict(GnsModel model, GnsFeatures features, Trajectory trajectory, float[] window)
    {
        using var scope = NewDisposeScope();
        var size = trajectory.Particles * features.Dim;
        var acceleration = model.call(features.Graph(window, trajectory.Particles, trajectory.Types)).cpu().data<float>().ToArray();
        return features.Step(window.AsSpan(GnsFeatures.History * size, size), window.AsSpan((GnsFeatures.History - 1) * size, size), acceleration, trajectory.Particles);
    }

    /// <summary>
    /// The trajectory's first History+1 true positions, then the model's own predictions up to step
    /// <paramref name="steps"/> (the whole trajectory by default); call under <c>no_grad</c>.
    /// </summary>
    /// <param name="held">When given, receives the number of particles the box held at each predicted step.</param>
    /// <param name="progress">When given, receives the share of the rollout done after each step.</param>
    public static float[] Roll(GnsModel model, GnsFeatures features, Trajectory trajectory, int? steps = null,
        List<int>? held = null, Action<double>? progress = null)
    {
        var size = trajectory.Particles * features.Dim;
        var last = Math.Min(trajectory.Steps, steps ?? trajectory.Steps);
        var positions = new List<float>(last * size);
        positions.AddRange(trajectory.Positions.AsSpan(0, (GnsFeatures.History + 1) * size).ToArray());
        for (var t = GnsFeatures.History; t < last - 1; t++)
        {
            positions.AddRange(Predict(model, features, trajectory, positions.GetRange((t - GnsFeatures.History) * size, (GnsFeatures.History + 1) * size).ToArray()));
            held?.Add(features.LastHeld);
            progress?.Invoke((t - GnsFeatures.History + 1.0) / (last - 1 - GnsFeatures.History));
        }
        return [.. positions];
    }

    /// <summary>Mean squared position error of a rollout against the truth over its predicted steps.</summary>
    public static double Mse(float[] rollout, Trajectory truth)
    {
        var size = truth.Particles * truth.Dim;
        var steps = rollout.Length / size;
        double sum = 0;
        for (var k = (GnsFeatures.History + 1) * size; k < steps * size; k++) sum += Math.Pow(rollout[k] - truth.Positions[k], 2);
        return sum / Math.Max(1, (steps - GnsFeatures.History - 1) * size);
    }
}
