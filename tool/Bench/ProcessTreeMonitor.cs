using System.Diagnostics;
using System.Globalization;

namespace Recipes.Bench;

/// <summary>
/// Peak resident memory of a process and all its descendants (an external simulator is a grandchild of the tool),
/// sampled from /proc every few milliseconds; the process's own high-water mark (VmHWM) is the floor for runs
/// shorter than one sample.
/// </summary>
public sealed class ProcessTreeMonitor : IDisposable
{
    private readonly int _root;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    /// <param name="resetPeak">
    /// Reset the root's high-water mark first (<c>/proc/PID/clear_refs</c>), so that a process measuring one piece of
    /// work after another (bench's run-node) reports each one's peak, not the largest so far.
    /// </param>
    public ProcessTreeMonitor(int pid, bool resetPeak = false)
    {
        _root = pid;
        if (resetPeak)
        {
            try
            {
                File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                try
                {
                    await Task.Delay(10, _stop.Token);
                }
                catch (OperationCanceledException) { }
            }
        });
    }

    public long PeakBytes => Interlocked.Read(ref _peak);

    private void Sample()
    {
        long total = 0;
        foreach (var pid in Tree(_root))
        {
            total += StatusKilobytes(pid, "VmRSS:") * 1024;
            if (pid == _root) Max(StatusKilobytes(pid, "VmHWM:") * 1024);
        }
        Max(total);
    }

    private void Max(long value)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _peak);
            if (value <= seen) return;
        }
        while (Interlocked.CompareExchange(ref _peak, value, seen) != seen);
    }

    private static IEnumerable<int> Tree(int root)
    {
        var pending = new Stack<int>([root]);
        while (pending.Count > 0)
        {
            var pid = pending.Pop();
            yield return pid;
            string[] tasks;
            try
            {
                tasks = Directory.GetDirectories($"/proc/{pid}/task");
            }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            foreach (var task in tasks)
            {
                string children;
                try
                {
                    children = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (IOException) { continue; }
                foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    if (int.TryParse(child, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c)) pending.Push(c);
            }
        }
    }

    private static long StatusKilobytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Sample();
        _stop.Cancel();
        _loop.Wait();
        _stop.Dispose();
    }
}
