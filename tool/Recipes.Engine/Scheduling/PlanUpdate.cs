namespace Recipes.Scheduling;

/// <summary>
/// What a change to the plan means for the caller, who does the I/O: nodes newly queued (for progress displays), nodes
/// whose inputs are now all done and that should be looked up in the cache before they are queued (early cutoff),
/// running early nodes whose inputs are now all done (their key can be computed), and nodes skipped because an input
/// failed (an early one among them is running and must be cancelled).
/// </summary>
public sealed class PlanUpdate
{
    public List<int> Queued { get; } = [];
    public List<int> Resolvable { get; } = [];
    public List<int> KeysKnown { get; } = [];
    public List<int> Skipped { get; } = [];

    public bool IsEmpty => Queued.Count == 0 && Resolvable.Count == 0 && KeysKnown.Count == 0 && Skipped.Count == 0;
}
