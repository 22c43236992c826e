namespace Recipes.Scheduling;

/// <summary>The resources a build may hold at once and how it behaves on failure.</summary>
/// <param name="Threads">CPU slots (<c>--jobs</c>).</param>
/// <param name="Gpus">GPU slots.</param>
/// <param name="KeepGoing">After a failure, go on with every node that does not depend on it.</param>
/// <param name="Speculate">Start streaming nodes early (needs an executor that can feed a running node).</param>
public sealed record PlanSlots(int Threads, int Gpus = 0, bool KeepGoing = false, bool Speculate = false);
