namespace Recipes.Scheduling;

/// <summary>Where a node is in the plan.</summary>
public enum PlanState
{
    /// <summary>Some input is not done yet.</summary>
    Waiting,

    /// <summary>Its inputs are done; the caller is asked to look it up in the cache.</summary>
    Resolving,

    /// <summary>May start when slots allow.</summary>
    Ready,

    Running,
    Done,
    Failed,

    /// <summary>An input failed, so it will not run.</summary>
    Skipped,

    /// <summary>Its run was interrupted.</summary>
    Cancelled,
}
