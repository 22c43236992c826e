namespace Recipes.Plugins;

/// <summary>
/// Where a resumable trainer keeps its checkpoints (weights, optimizer state, random generators, data position, averaged
/// weights, the losses so far): outside the node's outputs, shared by every run that differs from it only in length.
/// </summary>
public interface ITrainingCheckpoints
{
    /// <summary>The saved checkpoint with the highest step not above <paramref name="maxStep"/>, or null.</summary>
    SavedCheckpoint? Latest(long maxStep);

    /// <summary>Keeps the files of <paramref name="directory"/> (which the call takes over) as the checkpoint at <paramref name="step"/>; atomic.</summary>
    void Save(long step, string directory);

    /// <summary>A fresh directory to write a checkpoint into before <see cref="Save"/>.</summary>
    string NewDirectory();

    /// <summary>Whether a periodic checkpoint is due (the trainer asks after each step; the final one is always saved).</summary>
    bool Due();
}

/// <summary>A checkpoint's step and the directory holding its files (read-only: copy what you change).</summary>
public sealed record SavedCheckpoint(long Step, string Directory);
