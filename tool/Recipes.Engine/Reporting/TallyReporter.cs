using Recipes.Execution;
using Recipes.Graph;

namespace Recipes.Reporting;

/// <summary>Keeps per-stage tallies and failure reports; the terminal and plain views build on it.</summary>
public abstract class TallyReporter : IBuildReporter
{
    private readonly List<(GraphNode Node, NodeResult Result)> _failures = [];
    protected Dictionary<string, StageTally> Tallies { get; private set; } = [];

    public IReadOnlyList<(GraphNode Node, NodeResult Result)> Failures
    {
        get { lock (_failures) return _failures.ToList(); }
    }

    public virtual void Planned(BuildGraph graph) =>
        Tallies = graph.ByStage().ToDictionary(g => g.Key, g => new StageTally(g.Key, g.Count()));

    public virtual void Cached(GraphNode node) => Tallies[node.StageName].AddCached();
    public virtual void Queued(GraphNode node) { }
    public virtual void Started(GraphNode node) => Tallies[node.StageName].AddStarted();
    public virtual void Progress(GraphNode node, double fraction) { }
    public virtual void Finished(GraphNode node, NodeResult result) => Tallies[node.StageName].AddDone();

    public virtual void Failed(GraphNode node, NodeResult result)
    {
        Tallies[node.StageName].AddFailed(wasRunning: true);
        lock (_failures) _failures.Add((node, result));
    }

    public virtual void Skipped(GraphNode node, string reason) { }
    public virtual void Warning(string message) { }
    public virtual void Completed(BuildSummary summary) { }

    public static string FailureText(GraphNode node, NodeResult result)
    {
        // A node's error and log are whatever its command printed: cleaned line by line, so escape sequences are shown, not run.
        var text = Escaping.TerminalText.Clean($"FAILED {node.Id}: {result.Error}");
        // A tail that only repeats the message (a plug-in's own clear failure) adds nothing to the one line.
        var tail = (result.LogTail ?? "").Split('\n').Where(l => l.Length > 0 && l != $"error: {result.Error}").ToList();
        if (tail.Count > 0)
            text += "\n  --- log tail ---\n" + string.Join('\n', tail.Select(l => "  | " + Escaping.TerminalText.Clean(l.TrimEnd('\r'))));
        return text;
    }
}
