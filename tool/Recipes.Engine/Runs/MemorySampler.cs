using System.Globalization;

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

    /// <summary>RSS of this process and its descendants, from <c>/proc/&lt;pid&gt;/stat</c> (field 4 the parent, 24 the pages).</summary>
    private static long TreeResidentBytes()
    {
        if (!OperatingSystem.IsLinux()) return Environment.WorkingSet;
        var children = new Dictionary<int, List<int>>();
        var pages = new Dictionary<int, long>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // the process ended while the list was read
            }
            // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are plain.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length < 22) continue;
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            pages[pid] = long.Parse(fields[21], CultureInfo.InvariantCulture);
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(pid);
        }
        var total = 0L;
        var pending = new Stack<int>([Environment.ProcessId]);
        while (pending.TryPop(out var pid))
        {
            total += pages.GetValueOrDefault(pid);
            if (children.TryGetValue(pid, out var list)) foreach (var child in list) pending.Push(child);
        }
        return total * Environment.SystemPageSize;
    }

    public void Dispose() => _timer.Dispose();
}
