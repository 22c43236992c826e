using Recipes.Execution;
using Recipes.Graph;

namespace Recipes.Reporting;

/// <summary>Receives the build's events; the terminal, plain-line and JSON-lines views implement it.</summary>
public interface IBuildReporter
{
    void Planned(BuildGraph graph);
    void Cached(GraphNode node);
    void Queued(GraphNode node);
    void Started(GraphNode node);
    void Progress(GraphNode node, double fraction);
    void Finished(GraphNode node, NodeResult result);
    void Failed(GraphNode node, NodeResult result);
    void Skipped(GraphNode node, string reason);
    void Warning(string message);
    void Completed(BuildSummary summary);
}
