namespace Recipes.Execution;

/// <summary>Who runs stale nodes: this process, or Slurm job arrays.</summary>
public enum ExecutorKind
{
    Local,
    Slurm,
}
