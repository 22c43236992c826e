using Recipes.Plugins;

namespace Recipes.Training;

/// <summary>
/// What a training loop needs to continue a run: where checkpoints go, the one it continues from (or null), and what
/// its caller adds to each checkpoint beside the loop's own state (the latent trainer's autoencoder). The loop saves
/// when the store says one is due and at its last step.
/// </summary>
public sealed record TrainingResume(ITrainingCheckpoints? Store, TrainingCheckpoint? From, Action<TrainingCheckpoint.Builder>? AddExtra = null)
{
    /// <summary>No checkpoints: a part of a node that is never resumed on its own (the latent trainer's autoencoder).</summary>
    public static TrainingResume None { get; } = new(null, null);

    /// <summary>A loss curve of means over windows of <c>max(1, steps / 50)</c> steps (the last window may be shorter), from each step's loss: the same doubles whether the run was continued or not.</summary>
    public static List<(int Step, double Loss)> Curve(IReadOnlyList<double> losses, int steps)
    {
        var every = Math.Max(1, steps / 50);
        var curve = new List<(int, double)>();
        var sum = 0.0;
        for (var step = 1; step <= steps; step++)
        {
            sum += losses[step - 1];
            if (step % every != 0 && step != steps) continue;
            curve.Add((step, sum / (step % every == 0 ? every : step % every)));
            sum = 0;
        }
        return curve;
    }
}
