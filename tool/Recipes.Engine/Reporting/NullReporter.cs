using Recipes.Execution;
using Recipes.Graph;

namespace Recipes.Reporting;

public sealed class NullReporter : IBuildReporter
{
    public static NullReporter Instance { get; } = new();
    public void Planned(BuildGraph graph) { }
    public void Cached(GraphNode node) { }
    public void Queued(GraphNode node) { }
    public void Started(GraphNode node) { }
    public void Progress(GraphNode node, double fraction) { }
    public void Finished(GraphNode node, NodeResult result) { }
    public void Failed(GraphNode node, NodeResult result) { }
    public void Skipped(GraphNode node, string reason) { }
    public void Warning(string message) { }
    public void Completed(BuildSummary summary) { }
}
