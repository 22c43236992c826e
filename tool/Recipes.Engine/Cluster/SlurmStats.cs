namespace Recipes.Cluster;

/// <summary>What a build asked of Slurm: array jobs submitted, their tasks, and nodes resubmitted after a lost task.</summary>
public sealed record SlurmStats(int Jobs, int ArrayTasks, int Resubmitted);
