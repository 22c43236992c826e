namespace Recipes.Execution;

/// <summary>The CLI contract's summary: <c>{"nodes":N,"executed":E,"cached":C,"failed":F,"seconds":S}</c> and more.</summary>
public sealed record BuildSummary(int Nodes, int Executed, int Cached, int Failed, int Skipped, double Seconds, bool Interrupted)
{
    public IReadOnlyDictionary<string, StageCounts> Stages { get; init; } = new Dictionary<string, StageCounts>();
    public string? OutputDirectory { get; init; }
    public Remote.RemoteStats? Remote { get; init; }
    public Cluster.SlurmStats? Slurm { get; init; }
    public int ExitCode => Interrupted ? ExitCodes.Interrupted : Failed > 0 ? ExitCodes.NodeFailed : ExitCodes.Success;
}
