namespace Recipes.Execution;

/// <summary>The CLI contract's summary: <c>{"nodes":N,"executed":E,"cached":C,"failed":F,"seconds":S}</c> and more.</summary>
public sealed record BuildSummary(int Nodes, int Executed, int Cached, int Failed, int Skipped, double Seconds, bool Interrupted)
{
    public IReadOnlyDictionary<string, StageCounts> Stages { get; init; } = new Dictionary<string, StageCounts>();
    public string? OutputDirectory { get; init; }
    public Remote.RemoteStats? Remote { get; init; }
    public Cluster.SlurmStats? Slurm { get; init; }
    public int ExitCode => Interrupted ? ExitCodes.Interrupted : Failed > 0 ? ExitCodes.NodeFailed : ExitCodes.Success;

    /// <summary>Counts per stage and in all, from the node states after a probe or a build.</summary>
    public static BuildSummary Of(Graph.BuildGraph graph, NodeStates states, double seconds, bool interrupted)
    {
        // One pass over the nodes, counted per stage in the order stages first appear.
        var counts = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (!counts.TryGetValue(node.StageName, out var c)) counts[node.StageName] = c = new int[5];
            c[0]++;
            c[states.Status[node.Index] switch
            {
                NodeStatus.Executed => 1,
                NodeStatus.Cached => 2,
                NodeStatus.Failed => 3,
                _ => 4,
            }]++;
        }
        var stages = counts.ToDictionary(p => p.Key, p => new StageCounts(p.Value[0], p.Value[1], p.Value[2], p.Value[3], p.Value[4]));
        return new BuildSummary(
            graph.Nodes.Count,
            stages.Values.Sum(s => s.Executed),
            stages.Values.Sum(s => s.Cached),
            stages.Values.Sum(s => s.Failed),
            stages.Values.Sum(s => s.Skipped),
            seconds,
            interrupted) { Stages = stages };
    }
}
