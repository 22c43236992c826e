namespace Recipes.Reporting;

/// <summary>Thread-safe per-stage counts shown by the progress views.</summary>
public sealed class StageTally
{
    private int _done;
    private int _cached;
    private int _failed;
    private int _running;

    public StageTally(string stage, int total)
    {
        Stage = stage;
        Total = total;
    }

    public string Stage { get; }
    public int Total { get; }
    public int Done => Volatile.Read(ref _done);
    public int Cached => Volatile.Read(ref _cached);
    public int Failed => Volatile.Read(ref _failed);
    public int Running => Volatile.Read(ref _running);
    public int Settled => Done + Cached + Failed;

    public void AddCached() => Interlocked.Increment(ref _cached);
    public void AddStarted() => Interlocked.Increment(ref _running);

    public void AddDone()
    {
        Interlocked.Decrement(ref _running);
        Interlocked.Increment(ref _done);
    }

    public void AddFailed(bool wasRunning)
    {
        if (wasRunning) Interlocked.Decrement(ref _running);
        Interlocked.Increment(ref _failed);
    }

    public string Describe() => $"{Stage,-12} {Settled}/{Total}  run {Done}  cached {Cached}  failed {Failed}";
}
