namespace Recipes.Tests.Support;

/// <summary>A test that needs a real Slurm (<see cref="SlurmCluster"/>); skipped with the reason where it cannot run.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (SlurmCluster.SkipReason() is { } reason) Skip = reason;
    }
}
