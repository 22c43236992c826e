using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Reporting;

namespace Recipes.Runs;

/// <summary>
/// Records one build: <see cref="Begin"/> writes a <c>running</c> record before anything runs, the reporter events time
/// each node (and sample memory), and <see cref="Complete"/> or <see cref="Abort"/> rewrite it with the outcome. Every
/// write is atomic, so a build killed at any moment leaves a whole record, which then reads as interrupted.
/// </summary>
public sealed class RunRecorder : IBuildReporter, IDisposable
{
    private readonly RunStore _store;
    private readonly MemorySampler? _memory;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>When <see cref="_clock"/> started: node times are this plus the clock's reading.</summary>
    private readonly DateTime _clockStarted = DateTime.UtcNow;
    private readonly ConcurrentDictionary<int, double> _starts = new();
    private readonly ConcurrentDictionary<int, double> _ends = new();
    private readonly ConcurrentDictionary<int, long> _peaks = new();
    private RunRecord _record;

    private RunRecorder(RunStore store, RunRecord record, bool sampleMemory)
    {
        _store = store;
        _record = record;
        _memory = sampleMemory ? new MemorySampler() : null;
    }

    public RunRecord Record => _record;

    /// <summary>
    /// Starts recording a build of <paramref name="graph"/>. <paramref name="sampleMemory"/> is false where nodes run on
    /// other machines (Slurm), whose memory this process cannot see.
    /// </summary>
    /// <param name="outputRoot">Where the build materializes (left out of the repository's dirty check, as the cache is).</param>
    public static RunRecorder Begin(RunStore store, BuildGraph graph, IReadOnlyList<string> sets, string executor, bool sampleMemory, string? outputRoot = null)
    {
        var started = DateTime.UtcNow;
        var parameters = RunParameters.Resolve(graph.Recipe.RecipePath, sets);
        DateTime? processStarted = null;
        try
        {
            using var self = Process.GetCurrentProcess();
            processStarted = self.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            // Without it a reused pid could keep a dead build listed as running; the pid alone still serves.
        }
        var record = new RunRecord
        {
            Id = RunStore.NewId(started),
            Status = RunStatus.Running,
            Started = started,
            Recipe = graph.Recipe.Name,
            RecipePath = Path.GetFullPath(graph.Recipe.RecipePath),
            PlanKey = Cache.PlanKey.Compute(graph),
            Executor = executor,
            Pid = Environment.ProcessId,
            Host = Environment.MachineName,
            ProcessStarted = processStarted,
            Overrides = [.. sets],
            Set = RunParameters.SetValues(sets, parameters),
            Parameters = parameters,
            Nodes = graph.Nodes.Count,
            Targets = [.. graph.Recipe.Targets.Select(RunTarget.From)],
            ToolVersion = Versions.ToolVersion.Text,
            Source = Versions.SourceProbe.Read(graph.Recipe.RecipePath, outputRoot is null ? [Path.GetDirectoryName(store.Root)!] : [Path.GetDirectoryName(store.Root)!, outputRoot]),
        };
        var recorder = new RunRecorder(store, record, sampleMemory);
        store.TrySave(record);
        return recorder;
    }

    /// <summary>Rewrites the record with the build's outcome and returns it.</summary>
    public RunRecord Complete(BuildResult result)
    {
        var summary = result.Summary;
        var states = result.States;
        var nodes = result.Graph.Nodes;
        var metrics = new JsonObject();
        foreach (var (_, name, value) in RunMetrics.Named(nodes, n => states.Metrics[n.Index] is { IsEmpty: false } m ? m.ToObject() : null))
            metrics[name] = value.DeepClone();
        var stages = nodes.GroupBy(n => n.StageName).Select(g =>
        {
            var counts = summary.Stages.GetValueOrDefault(g.Key) ?? new StageCounts(g.Count(), 0, 0, 0, 0);
            var ran = g.Where(n => _starts.ContainsKey(n.Index)).ToList();
            var wall = ran.Count == 0 ? 0 : ran.Max(n => _ends.GetValueOrDefault(n.Index, _clock.Elapsed.TotalSeconds)) - ran.Min(n => _starts[n.Index]);
            return new RunStage(g.Key, counts.Nodes, counts.Executed, counts.Cached, counts.Failed, counts.Skipped, wall, ran.Sum(n => states.Seconds[n.Index]));
        }).ToList();
        var nodeList = nodes.Select(n =>
        {
            var ran = _starts.ContainsKey(n.Index);
            return new RunNode(n.Id, n.StageName, states.Status[n.Index].ToString().ToLowerInvariant(), states.HashOf(n.Index),
                ran ? states.Seconds[n.Index] : null, _peaks.TryGetValue(n.Index, out var peak) ? peak : null)
            {
                // On the recorder's monotonic clock, so a node never ends before it starts whatever the wall clock does.
                Started = ran ? _clockStarted.AddSeconds(_starts[n.Index]) : null,
                Ended = ran && _ends.TryGetValue(n.Index, out var end) ? _clockStarted.AddSeconds(end) : null,
                Sample = Sampling.SampleIdentity.Of(n),
            };
        }).ToList();
        _record = _record with
        {
            Status = summary.Interrupted ? RunStatus.Interrupted : summary.Failed > 0 ? RunStatus.Failed : RunStatus.Completed,
            Ended = DateTime.UtcNow,
            Nodes = summary.Nodes,
            Executed = summary.Executed,
            Cached = summary.Cached,
            Failed = summary.Failed,
            Skipped = summary.Skipped,
            Seconds = _clock.Elapsed.TotalSeconds,
            PeakRssBytes = _memory?.Peak,
            Stages = stages,
            NodeList = nodeList,
            Metrics = metrics,
        };
        _store.TrySave(_record);
        return _record;
    }

    /// <summary>The build stopped on an error of its own (a full disk): the record says failed, with what it knew.</summary>
    public void Abort()
    {
        _record = _record with { Status = RunStatus.Failed, Ended = DateTime.UtcNow, Seconds = _clock.Elapsed.TotalSeconds, PeakRssBytes = _memory?.Peak };
        try
        {
            _store.Save(_record);
        }
        catch (IOException)
        {
            // The disk that failed the build may refuse this too; the running record then reads as interrupted.
        }
    }

    public void Started(GraphNode node)
    {
        _starts[node.Index] = _clock.Elapsed.TotalSeconds;
        _memory?.Started(node.Index);
    }

    public void Finished(GraphNode node, NodeResult result) => Ended(node);
    public void Failed(GraphNode node, NodeResult result) => Ended(node);

    private void Ended(GraphNode node)
    {
        _ends[node.Index] = _clock.Elapsed.TotalSeconds;
        if (_memory is not null) _peaks[node.Index] = _memory.Finished(node.Index);
    }

    public void Planned(BuildGraph graph) { }
    public void Cached(GraphNode node)
    {
        // A node that started and then found its result in the cache (another build made it meanwhile).
        if (_starts.ContainsKey(node.Index)) Ended(node);
    }

    public void Queued(GraphNode node) { }
    public void Progress(GraphNode node, double fraction) { }
    public void Skipped(GraphNode node, string reason) { }
    public void Warning(string message) { }
    public void Completed(BuildSummary summary) { }

    public void Dispose() => _memory?.Dispose();
}
