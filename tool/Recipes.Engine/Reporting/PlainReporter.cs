using System.Diagnostics;
using Recipes.Execution;
using Recipes.Graph;

namespace Recipes.Reporting;

/// <summary>
/// Plain lines for logs (stdout not a terminal): one per finished node for small builds, otherwise a per-stage
/// line every few seconds with counts and an ETA; failures immediately with their log tail.
/// </summary>
public sealed class PlainReporter : TallyReporter
{
    private readonly TextWriter _out;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private bool _verbose;
    private TimeSpan _lastLine;

    public PlainReporter(TextWriter output) => _out = output;

    public override void Planned(BuildGraph graph)
    {
        base.Planned(graph);
        _verbose = graph.Nodes.Count <= 200;
        lock (_lock) _out.WriteLine($"planned {graph.Nodes.Count} nodes for {graph.Samples.Count} samples of {graph.Recipe.Name}");
    }

    public override void Finished(GraphNode node, NodeResult result)
    {
        base.Finished(node, result);
        lock (_lock)
        {
            if (_verbose) _out.WriteLine($"done   {node.Id} ({result.Seconds:0.00} s)");
            else if (_clock.Elapsed - _lastLine > TimeSpan.FromSeconds(5))
            {
                _lastLine = _clock.Elapsed;
                var tally = Tallies[node.StageName];
                var remaining = tally.Total - tally.Settled;
                var rate = tally.Done / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
                _out.WriteLine($"{tally.Describe()}  eta {TimeSpan.FromSeconds(rate > 0 ? remaining / rate : 0):hh\\:mm\\:ss}");
            }
        }
    }

    public override void Failed(GraphNode node, NodeResult result)
    {
        base.Failed(node, result);
        lock (_lock) _out.WriteLine(FailureText(node, result));
    }

    public override void Warning(string message)
    {
        lock (_lock) _out.WriteLine("warning: " + Escaping.TerminalText.Clean(message));
    }

    public override void Completed(BuildSummary summary)
    {
        lock (_lock)
            foreach (var tally in Tallies.Values) _out.WriteLine(tally.Describe());
    }
}
