using Recipes.Execution;

namespace Recipes.Runs;

/// <summary>
/// Samples the resident memory of this process plus every process below it (exec commands, <c>run-node</c> children)
/// every <see cref="Interval"/> and keeps, for each node while it runs, the highest sample. Linux reads <c>/proc</c>;
/// elsewhere only this process's working set is seen. An approximation, stated in the docs: nodes that run at the same
/// time see the same samples (a per-node figure is the peak of the whole tree while it ran), and a node shorter than the
/// interval gets the sample taken when it started.
/// </summary>
public sealed class MemorySampler : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly Dictionary<int, long> _running = [];
    private readonly Timer _timer;
    private long _peak;

    public MemorySampler() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, Interval);

    /// <summary>The highest sample since the sampler started.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    public void Started(int node)
    {
        var now = Environment.WorkingSet;
        lock (_running) _running[node] = Math.Max(now, LastSample);
    }

    /// <summary>The node's peak, and it is no longer followed.</summary>
    public long Finished(int node)
    {
        lock (_running) return _running.Remove(node, out var peak) ? peak : LastSample;
    }

    private long LastSample { get; set; }

    private void Sample()
    {
        long total;
        try
        {
            total = TreeResidentBytes();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            total = Environment.WorkingSet;
        }
        lock (_running)
        {
            LastSample = total;
            foreach (var node in _running.Keys.ToList()) _running[node] = Math.Max(_running[node], total);
        }
        long seen;
        while (total > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, total, seen) != seen) { }
    }

    /// <summary>RSS of this process and its descendants (<see cref="ProcessTree"/>); the working set where /proc is not.</summary>
    private static long TreeResidentBytes() =>
        OperatingSystem.IsLinux() ? ProcessTree.ResidentBytes(Environment.ProcessId) : Environment.WorkingSet;

    public void Dispose() => _timer.Dispose();
}
