using Recipes.Execution;
using Recipes.Graph;

namespace Recipes.Reporting;

public sealed class CompositeReporter(params IBuildReporter[] reporters) : IBuildReporter
{
    public void Planned(BuildGraph graph) { foreach (var r in reporters) r.Planned(graph); }
    public void Cached(GraphNode node) { foreach (var r in reporters) r.Cached(node); }
    public void Queued(GraphNode node) { foreach (var r in reporters) r.Queued(node); }
    public void Started(GraphNode node) { foreach (var r in reporters) r.Started(node); }
    public void Progress(GraphNode node, double fraction) { foreach (var r in reporters) r.Progress(node, fraction); }
    public void Finished(GraphNode node, NodeResult result) { foreach (var r in reporters) r.Finished(node, result); }
    public void Failed(GraphNode node, NodeResult result) { foreach (var r in reporters) r.Failed(node, result); }
    public void Skipped(GraphNode node, string reason) { foreach (var r in reporters) r.Skipped(node, reason); }
    public void Warning(string message) { foreach (var r in reporters) r.Warning(message); }
    public void Completed(BuildSummary summary) { foreach (var r in reporters) r.Completed(summary); }
}
