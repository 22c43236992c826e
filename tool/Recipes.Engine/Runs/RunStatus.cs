namespace Recipes.Runs;

/// <summary>How a recorded build ended; <see cref="Running"/> until it does.</summary>
public enum RunStatus
{
    Running,
    Completed,
    Failed,

    /// <summary>Stopped by Ctrl-C, or killed: a record left <see cref="Running"/> by a process that no longer exists.</summary>
    Interrupted,
}
