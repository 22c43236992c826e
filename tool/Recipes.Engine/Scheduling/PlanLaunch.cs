namespace Recipes.Scheduling;

/// <summary>A node to start now, with the slots reserved for it.</summary>
/// <param name="Early">Started before its inputs were all done: it reads them through a feed and learns its key later.</param>
public readonly record struct PlanLaunch(int Index, int Threads, int Gpus, bool Early);
