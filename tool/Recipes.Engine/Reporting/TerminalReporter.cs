using Recipes.Execution;
using Recipes.Graph;
using Spectre.Console;

namespace Recipes.Reporting;

/// <summary>Spectre.Console progress bars, one per stage, with run/cached/failed counts and the remaining time.</summary>
public sealed class TerminalReporter : TallyReporter
{
    private readonly Dictionary<string, ProgressTask> _tasks = [];
    private ProgressContext? _context;

    public static async Task<T> RunAsync<T>(IAnsiConsole console, TerminalReporter reporter, Func<Task<T>> work)
    {
        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                reporter._context = context;
                result = await work();
                reporter.Refresh();
            });
        return result;
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
        Refresh(node.StageName);
    }

    public override void Finished(GraphNode node, NodeResult result)
    {
        base.Finished(node, result);
        Refresh(node.StageName);
    }

    public override void Failed(GraphNode node, NodeResult result)
    {
        base.Failed(node, result);
        Refresh(node.StageName);
    }

    private void Refresh(string stage)
    {
        if (!_tasks.TryGetValue(stage, out var task)) return;
        var tally = Tallies[stage];
        lock (task)
        {
            task.Value = tally.Settled;
            task.Description = Markup.Escape(tally.Describe());
            if (tally.Settled >= tally.Total) task.StopTask();
        }
    }

    private void Refresh()
    {
        foreach (var stage in _tasks.Keys) Refresh(stage);
    }
}
