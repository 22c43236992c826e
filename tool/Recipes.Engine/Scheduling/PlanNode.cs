namespace Recipes.Scheduling;

/// <summary>
/// What the scheduler knows of a node: its place in the graph, the slots it holds while it runs, how urgent it is and
/// whether it may start before its inputs are all done. Nothing about files, keys or plug-ins.
/// </summary>
/// <param name="Dependencies">Indices of the nodes it reads; each lower than its own index.</param>
/// <param name="Threads">CPU slots out of <c>--jobs</c> it holds while it runs (at least one).</param>
/// <param name="Gpus">GPU slots it holds while it runs.</param>
/// <param name="Priority">Lower starts first; ties go to the lower index.</param>
/// <param name="Streaming">May start once one input is done and read the rest as they arrive (online training).</param>
public sealed record PlanNode(IReadOnlyList<int> Dependencies, int Threads = 1, int Gpus = 0, long Priority = 0, bool Streaming = false);
