using System.Collections.Concurrent;
using System.Text;
using Recipes.Execution;
using Recipes.Graph;
using Spectre.Console;

namespace Recipes.Reporting;

/// <summary>
/// Spectre.Console progress bars, one per stage, with run/cached/failed counts and the remaining time. A bar counts
/// settled nodes plus the fractions its running nodes report, so one long node (a trainer) moves its bar and gets an ETA.
/// </summary>
public sealed class TerminalReporter : TallyReporter
{
    private readonly Dictionary<string, ProgressTask> _tasks = [];
    private readonly ConcurrentDictionary<int, (string Stage, double Fraction)> _running = new();
    private ProgressContext? _context;

    public static async Task<T> RunAsync<T>(IAnsiConsole console, TerminalReporter reporter, Func<Task<T>> work)
    {
        T result = default!;
        // Lines written to Console.Error while the bars are live (warnings, unclaimed native output) go through the
        // console, which prints them above the bars; written past it they leave a stale copy of the bars behind.
        var previousError = Console.Error;
        Console.SetError(TextWriter.Synchronized(new LineWriter(console)));
        try
        {
            await RunLiveAsync(console, reporter, async () => result = await work());
        }
        finally
        {
            Console.SetError(previousError);
        }
        return result;
    }

    private static async Task RunLiveAsync(IAnsiConsole console, TerminalReporter reporter, Func<Task> work)
    {
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                reporter._context = context;
                await work();
                reporter.Refresh();
            });
    }

    public override void Planned(BuildGraph graph)
    {
        base.Planned(graph);
        if (_context is null) return;
        foreach (var tally in Tallies.Values)
            _tasks[tally.Stage] = _context.AddTask(Markup.Escape(tally.Describe()), maxValue: Math.Max(1, tally.Total));
    }

    public override void Cached(GraphNode node)
    {
        base.Cached(node);
        Refresh(node.StageName);
    }

    public override void Started(GraphNode node)
    {
        base.Started(node);
        _running[node.Index] = (node.StageName, 0);
        Refresh(node.StageName);
    }

    public override void Progress(GraphNode node, double fraction)
    {
        // Reports are posted asynchronously and may arrive after the node settled: only running nodes count.
        if (!double.IsFinite(fraction) || !_running.TryGetValue(node.Index, out var current)) return;
        _running.TryUpdate(node.Index, (node.StageName, Math.Clamp(fraction, 0, 1)), current);
        Refresh(node.StageName);
    }

    public override void Finished(GraphNode node, NodeResult result)
    {
        _running.TryRemove(node.Index, out _);
        base.Finished(node, result);
        Refresh(node.StageName);
    }

    public override void Failed(GraphNode node, NodeResult result)
    {
        _running.TryRemove(node.Index, out _);
        base.Failed(node, result);
        Refresh(node.StageName);
    }

    /// <summary>Settled nodes plus the running ones' reported fractions, never past the total.</summary>
    public double StageValue(string stage) =>
        Math.Min(Tallies[stage].Total, Tallies[stage].Settled + _running.Values.Where(r => r.Stage == stage).Sum(r => r.Fraction));

    private void Refresh(string stage)
    {
        if (!_tasks.TryGetValue(stage, out var task)) return;
        var tally = Tallies[stage];
        lock (task)
        {
            task.Value = StageValue(stage);
            task.Description = Markup.Escape(tally.Describe());
            if (tally.Settled >= tally.Total) task.StopTask();
        }
    }

    private void Refresh()
    {
        foreach (var stage in _tasks.Keys) Refresh(stage);
    }

    /// <summary>Collects text into lines and writes each through the live console.</summary>
    private sealed class LineWriter(IAnsiConsole console) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                console.WriteLine(_line.ToString().TrimEnd('\r'));
                _line.Clear();
            }
            else _line.Append(value);
        }

        public override void Flush()
        {
            if (_line.Length == 0) return;
            console.WriteLine(_line.ToString());
            _line.Clear();
        }
    }
}
