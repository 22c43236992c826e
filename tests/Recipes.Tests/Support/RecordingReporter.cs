using System.Collections.Concurrent;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Reporting;

namespace Recipes.Tests.Support;

/// <summary>Keeps the order of node events so tests can check what started before what finished.</summary>
public sealed class RecordingReporter : IBuildReporter
{
    private long _clock;
    public ConcurrentQueue<(long Tick, string Event, string Node)> Events { get; } = new();

    private void Record(string kind, GraphNode node) => Events.Enqueue((Interlocked.Increment(ref _clock), kind, node.Id));

    public long First(string kind, string node) => Events.First(e => e.Event == kind && e.Node == node).Tick;
    public long Last(string kind, Func<string, bool> node) => Events.Where(e => e.Event == kind && node(e.Node)).Max(e => e.Tick);

    public void Planned(BuildGraph graph) { }
    public void Cached(GraphNode node) => Record("cached", node);
    public void Queued(GraphNode node) => Record("queued", node);
    public void Started(GraphNode node) => Record("started", node);
    public void Progress(GraphNode node, double fraction) { }
    public void Finished(GraphNode node, NodeResult result) => Record("finished", node);
    public void Failed(GraphNode node, NodeResult result) => Record("failed", node);
    public void Skipped(GraphNode node, string reason) => Record("skipped", node);
    public void Warning(string message) { }
    public void Completed(BuildSummary summary) { }
}
