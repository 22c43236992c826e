using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Execution;
using Recipes.Graph;

namespace Recipes.Cluster;

/// <summary>
/// Hands stale nodes to Slurm. Nodes that become ready together are grouped by stage and CPU needs, packed several to
/// an array task up to a target duration (estimated from their earlier runs), and submitted as one job array
/// (<c>sbatch --array=0-K%N</c>) whose tasks run <c>recipes run-node</c> against the shared (or remote) cache. The
/// controller follows the arrays with <c>squeue</c> (which works without Slurm accounting, unlike <c>sacct</c>); when a
/// task leaves the queue its nodes are done if their results are in the cache, failed if the task's report says the
/// node itself failed, and otherwise — the task was killed, preempted or timed out — resubmitted up to the retry
/// limit, then reported with the task's log tail. Downstream nodes are scheduled by the controller as their inputs
/// land, not with <c>--dependency=afterok</c>: their keys depend on their inputs' content, so only once the inputs
/// exist can the controller see a cache hit (early cutoff) and skip the submission, and a failed upstream node does
/// not leave dependent jobs pending forever with <c>DependencyNeverSatisfied</c>.
/// </summary>
public sealed class SlurmExecutor : INodeExecutor, IDisposable
{
    private sealed record Pending(GraphNode Node, string Key, TaskCompletionSource<NodeResult> Done, int Attempt, Stopwatch Clock);

    private sealed record Element(string Id, List<Pending> Nodes, string Log, string Report);

    private readonly SlurmSettings _settings;
    private readonly SlurmInvocation _invocation;
    private readonly CacheStore _cache;
    private readonly CacheLookup _lookup;
    private readonly Action<string> _log;
    private readonly Lock _gate = new();
    private readonly List<Pending> _queue = [];
    private readonly Dictionary<string, Element> _elements = new(StringComparer.Ordinal);
    private readonly HashSet<string> _jobs = new(StringComparer.Ordinal);
    private CancellationTokenSource _stop = new();
    private readonly Dictionary<string, double> _stageSeconds;
    private readonly List<Task> _submissions = [];
    private bool _flushScheduled;
    private Task? _monitor;
    private int _submittedJobs;
    private int _arrayTasks;
    private int _resubmitted;

    public SlurmExecutor(SlurmSettings settings, SlurmInvocation invocation, CacheStore cache, Remote.RemoteCacheClient? remote, BuildGraph graph,
        Action<string> log)
    {
        _settings = settings;
        _invocation = invocation;
        _cache = cache;
        _lookup = new CacheLookup(cache, remote);
        _log = log;
        _stageSeconds = EstimateStages(cache, graph, settings.DefaultSeconds);
    }

    /// <summary>The engine's slot count under this executor: Slurm, not the controller, limits what runs at once.</summary>
    public const int Unbounded = 1 << 20;

    public bool SupportsStreaming => false;
    public SlurmStats Stats => new(_submittedJobs, _arrayTasks, _resubmitted);
    public string JobDirectory => Path.Combine(_cache.Root, "slurm");

    /// <summary>Mean recorded run time per stage from the last build's entries, for packing.</summary>
    private static Dictionary<string, double> EstimateStages(CacheStore cache, BuildGraph graph, double fallback)
    {
        var records = cache.States.Load(graph.Recipe.Name, graph.Recipe.RecipePath);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var stage in graph.ByStage())
        {
            var seconds = stage.Take(200).Select(n => records.TryGetValue(n.Id, out var r) && !r.Failed ? cache.Actions.TryGet(r.Key)?.Seconds : null)
                .OfType<double>().ToList();
            result[stage.Key] = seconds.Count > 0 ? Math.Max(0.01, seconds.Average()) : fallback;
        }
        return result;
    }

    public async Task<NodeResult> RunAsync(NodeJob job, CancellationToken cancellationToken)
    {
        var resolved = (await job.Key).Hash;
        var pending = new Pending(job.Node, resolved, new TaskCompletionSource<NodeResult>(TaskCreationOptions.RunContinuationsAsynchronously), 1, Stopwatch.StartNew());
        Enqueue(pending);
        using var registration = cancellationToken.Register(() => pending.Done.TrySetResult(Interrupted()));
        return await pending.Done.Task;
    }

    private void Enqueue(Pending pending)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                pending.Done.TrySetResult(Interrupted());
                return;
            }
            _queue.Add(pending);
            _monitor ??= Task.Run(MonitorAsync);
            if (_flushScheduled) return;
            // Nodes that become ready within a moment of each other go out as one array job.
            _flushScheduled = true;
            _submissions.Add(Task.Delay(300).ContinueWith(_ => SubmitQueued(), TaskScheduler.Default).Unwrap());
        }
    }

    private static NodeResult Interrupted() => new(NodeStatus.Cancelled, [], 0, "interrupted", null, []);

    private async Task SubmitQueued()
    {
        List<Pending> batch;
        lock (_gate)
        {
            batch = [.. _queue];
            _queue.Clear();
            _flushScheduled = false;
        }
        foreach (var group in batch.GroupBy(p => (p.Node.StageName, p.Node.Resources.Threads)))
        {
            if (_stop.IsCancellationRequested)
            {
                foreach (var p in group) p.Done.TrySetResult(Interrupted());
                continue;
            }
            try
            {
                await SubmitGroup(group.Key.StageName, group.Key.Threads, group.ToList());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                foreach (var p in group) p.Done.TrySetResult(new NodeResult(NodeStatus.Failed, [], 0, $"could not submit to Slurm: {e.Message}", null, []));
            }
        }
    }

    /// <summary>
    /// Packs nodes into tasks of about <paramref name="target"/> seconds of expected work, but into no fewer than
    /// <paramref name="minTasks"/> tasks (the CPUs free right now), so a short sweep still spreads over an idle partition.
    /// </summary>
    public static List<List<T>> Pack<T>(IReadOnlyList<T> items, double secondsEach, double target, int minTasks = 1)
    {
        var perTask = Math.Max(1, (int)Math.Floor(target / Math.Max(secondsEach, 1e-6)));
        perTask = Math.Min(perTask, Math.Max(1, (items.Count + Math.Max(1, minTasks) - 1) / Math.Max(1, minTasks)));
        var result = new List<List<T>>();
        for (var i = 0; i < items.Count; i += perTask) result.Add(items.Skip(i).Take(perTask).ToList());
        return result;
    }

    private async Task SubmitGroup(string stage, int threads, List<Pending> nodes)
    {
        var cpusPerTask = _settings.Cpus ?? threads;
        var idle = await SlurmCommands.IdleCpusAsync(_settings.Partition);
        var width = Math.Max(1, idle / Math.Max(1, cpusPerTask));
        if (_settings.Throttle > 0) width = Math.Min(width, _settings.Throttle);
        var tasks = Pack(nodes, _stageSeconds.GetValueOrDefault(stage, _settings.DefaultSeconds), _settings.PackSeconds, width);
        var directory = Path.Combine(JobDirectory, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(directory);
        await File.WriteAllLinesAsync(Path.Combine(directory, "nodes.txt"), tasks.Select(t => string.Join(' ', t.Select(p => p.Node.Id))));
        var script = Path.Combine(directory, "job.sh");
        await File.WriteAllTextAsync(script, Script(directory, tasks.Count, threads, stage));
        var result = await SlurmCommands.RunAsync("sbatch", ["--parsable", script]);
        if (result.ExitCode != 0)
        {
            foreach (var p in nodes)
                p.Done.TrySetResult(new NodeResult(NodeStatus.Failed, [], 0, $"sbatch refused the job: {result.Stderr.Trim()}", null, []));
            return;
        }
        var job = result.Stdout.Trim().Split(';')[0];
        lock (_gate)
        {
            _jobs.Add(job);
            _submittedJobs++;
            _arrayTasks += tasks.Count;
            for (var i = 0; i < tasks.Count; i++)
                _elements[$"{job}_{i}"] = new Element($"{job}_{i}", tasks[i], Path.Combine(directory, $"task-{i}.log"), Path.Combine(directory, $"task-{i}.json"));
        }
        _log($"slurm: job {job} ({stage}): {nodes.Count} nodes in {tasks.Count} array tasks");
    }

    private string Script(string directory, int tasks, int threads, string stage)
    {
        var text = new StringBuilder("#!/bin/bash\n");
        foreach (var line in _settings.Directives(tasks, threads, Path.Combine(directory, "task-%a.log"), $"recipes-{stage}")) text.Append(line).Append('\n');
        text.Append("set -eo pipefail\n");
        text.Append(CultureInfo.InvariantCulture, $"nodes=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {Quote(Path.Combine(directory, "nodes.txt"))})\n");
        text.Append(CultureInfo.InvariantCulture, $"cd {Quote(_invocation.WorkingDirectory)}\n");
        text.Append("exec ").Append(_settings.Command ?? ToolCommand()).Append(" run-node ").Append(Quote(_invocation.RecipePath)).Append(" $nodes");
        text.Append(" --cache ").Append(Quote(_invocation.CacheRoot)).Append(" --device ").Append(Plugins.DeviceKinds.Name(_invocation.Device));
        text.Append(" --report ").Append(Quote(Path.Combine(directory, "task-"))).Append("\"$SLURM_ARRAY_TASK_ID\".json");
        foreach (var set in _invocation.Sets) text.Append(" --set ").Append(Quote(set));
        if (_invocation.RemoteCache is not null) text.Append(" --remote-cache ").Append(Quote(_invocation.RemoteCache));
        return text.Append('\n').ToString();
    }

    private static string ToolCommand()
    {
        var start = ToolProcess.StartInfo();
        return string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList).Select(Quote));
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static readonly HashSet<string> FinalStates = new(StringComparer.Ordinal)
    {
        "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT",
    };

    private async Task MonitorAsync()
    {
        var poll = TimeSpan.FromSeconds(Math.Max(0.2, _settings.PollSeconds));
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(poll, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            string[] jobs;
            lock (_gate) jobs = _jobs.ToArray();
            if (jobs.Length == 0) continue;
            var queue = await SlurmCommands.RunAsync("squeue", ["-h", "-r", "-o", "%i|%T", "-j", string.Join(',', jobs)]);
            if (queue.ExitCode != 0 && !queue.Stderr.Contains("Invalid job id", StringComparison.Ordinal)) continue;
            // A task is alive while squeue lists it in a non-final state; finished ones drop out of the list.
            var alive = queue.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|'))
                .Where(f => f.Length == 2 && !FinalStates.Contains(f[1].Trim())).Select(f => f[0].Trim()).ToHashSet(StringComparer.Ordinal);
            List<Element> finished;
            lock (_gate)
            {
                // Only tasks of the jobs just asked about: a job submitted while squeue ran is not in its answer yet.
                var asked = jobs.ToHashSet(StringComparer.Ordinal);
                finished = _elements.Values.Where(e => asked.Contains(JobOf(e.Id)) && !alive.Contains(e.Id)).ToList();
                foreach (var e in finished) _elements.Remove(e.Id);
                var live = _elements.Keys.Select(JobOf).ToHashSet(StringComparer.Ordinal);
                _jobs.RemoveWhere(j => !live.Contains(j));
            }
            foreach (var element in finished) Settle(element);
        }
    }

    private static string JobOf(string task) => task[..task.IndexOf('_', StringComparison.Ordinal)];

    /// <summary>A task left the queue: each of its nodes is done if its result is in the cache, else retried or failed.</summary>
    private void Settle(Element element)
    {
        var errors = ReportedErrors(element.Report);
        foreach (var pending in element.Nodes)
        {
            if (pending.Done.Task.IsCompleted) continue;
            if (_lookup.Find(pending.Key) is { } hit)
            {
                var metrics = hit.Metrics.ToObject();
                pending.Done.TrySetResult(new NodeResult(NodeStatus.Executed, hit.Outputs, pending.Clock.Elapsed.TotalSeconds, null, null, metrics));
                continue;
            }
            // The node ran and failed (its solver's own retries included): running it again would fail the same way.
            if (errors.TryGetValue(pending.Node.Id, out var error))
            {
                pending.Done.TrySetResult(new NodeResult(NodeStatus.Failed, [], pending.Clock.Elapsed.TotalSeconds,
                    $"{error} (slurm task {element.Id}, log {element.Log})", Tail(element.Log), []));
                continue;
            }
            // Otherwise the task was lost before it finished the node (killed, preempted, out of time): try again.
            if (pending.Attempt <= _settings.Retries && !_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _resubmitted);
                _log($"slurm: task {element.Id} ended without {pending.Node.Id}; resubmitting (attempt {pending.Attempt + 1} of {_settings.Retries + 1})");
                Enqueue(pending with { Attempt = pending.Attempt + 1 });
                continue;
            }
            pending.Done.TrySetResult(new NodeResult(NodeStatus.Failed, [], pending.Clock.Elapsed.TotalSeconds,
                $"slurm task {element.Id} ended without a result after {pending.Attempt} attempts", Tail(element.Log), []));
        }
    }

    /// <summary>The nodes a task's <c>run-node --report</c> lists as failed, with their errors.</summary>
    private static Dictionary<string, string> ReportedErrors(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var node in RunNodeReport.Parse(File.ReadAllText(path)).Nodes)
                if (node.Status == NodeStatus.Failed) result[node.Node] = node.Error ?? "failed";
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException)
        {
            // No report: the task died before writing it.
        }
        return result;
    }

    private static string Tail(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 20)));
        }
        catch (IOException)
        {
            return "(no task log)";
        }
    }

    public async Task FinishAsync(bool interrupted)
    {
        // Stop first, then wait for submissions in flight, so that no job goes out after the scancel below.
        _stop.Cancel();
        Task[] submissions;
        lock (_gate) submissions = [.. _submissions];
        await Task.WhenAll(submissions);
        string[] jobs;
        lock (_gate) jobs = [.. _jobs];
        if (interrupted && jobs.Length > 0)
        {
            await SlurmCommands.RunAsync("scancel", jobs);
            _log($"slurm: cancelled job{(jobs.Length > 1 ? "s" : "")} {string.Join(", ", jobs)}");
        }
        if (_monitor is not null) await _monitor;
        if (interrupted) return;
        // An adaptive sweep builds its growing graph in passes with one executor: after a clean finish it is ready
        // for the next pass, with its counts (Stats) carried over.
        lock (_gate)
        {
            var stopped = _stop;
            _stop = new CancellationTokenSource();
            stopped.Dispose();
            _monitor = null;
            _submissions.Clear();
            _flushScheduled = false;
        }
    }

    public void Dispose() => _stop.Dispose();
}
