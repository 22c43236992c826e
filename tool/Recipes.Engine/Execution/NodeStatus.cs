namespace Recipes.Execution;

public enum NodeStatus
{
    /// <summary>Not resolved yet: stale, or waiting for a stale upstream node.</summary>
    Pending,
    Cached,
    Executed,
    Failed,

    /// <summary>Not run because an upstream node failed.</summary>
    Skipped,
    Cancelled,
}
