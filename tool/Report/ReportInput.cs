using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Graph;

namespace Recipes.Report;

/// <summary>Everything a report shows, gathered once (see <see cref="ReportCollector"/>) so the HTML writer does no I/O.</summary>
public sealed class ReportInput
{
    public required string RecipeName { get; init; }
    public string? Description { get; init; }
    public required string RecipePath { get; init; }
    public required string PlanKey { get; init; }
    public required string OutputDirectory { get; init; }
    public required DateTime Written { get; init; }
    public required BuildGraph Graph { get; init; }
    public required NodeStates States { get; init; }

    /// <summary>Seconds a node took when it last ran, by node id (absent: never ran).</summary>
    public required IReadOnlyDictionary<string, double> Seconds { get; init; }

    /// <summary>Scalar metrics of the nodes that are not per sample (dataset, train, evaluate), in graph order.</summary>
    public required IReadOnlyList<(string Node, string Metric, double Value)> Metrics { get; init; }

    public required IReadOnlyList<ReportPicture> Pictures { get; init; }
    public IReadOnlyList<(string Caption, byte[] Png)> StagePlots { get; init; } = [];
    public JsonNode? Bench { get; init; }
    public ReportPicture? BenchPlot { get; init; }
    public ReportRun? Current { get; init; }

    /// <summary>The named targets with every point's metrics, as the cache holds them; empty for a recipe without targets:.</summary>
    public IReadOnlyList<Runs.TargetComparison> Targets { get; init; } = [];

    /// <summary>Per swept target, its ranking metric against its first numeric swept setting.</summary>
    public IReadOnlyList<(string Caption, byte[] Png)> TargetCharts { get; init; } = [];
    public ReportRun? Previous { get; init; }

    /// <summary>This build's samples against the previous run's, matched by their values; null without both records.</summary>
    public Status.SampleChanges? Samples { get; init; }

    public double? SecondsOf(GraphNode node) => Seconds.TryGetValue(node.Id, out var s) ? s : null;
}
