using Recipes.Execution;

namespace Recipes.Bench;

/// <summary>
/// Peak resident memory of a process and all its descendants (<see cref="ProcessTree"/>), sampled every few
/// milliseconds; the process's own high-water mark (VmHWM) is the floor for runs shorter than one sample.
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
        if (resetPeak) ProcessTree.ResetHighWater(pid);
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
        Max(ProcessTree.HighWaterBytes(_root));
        Max(ProcessTree.ResidentBytes(_root));
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
