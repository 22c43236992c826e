namespace Recipes.Remote;

/// <summary>What the remote cache did during one build.</summary>
public sealed class RemoteStats
{
    private int _hits;
    private int _uploads;
    private int _rejected;
    private int _failed;
    private long _bytesDown;
    private long _bytesUp;

    public int Hits => _hits;
    public int Uploads => _uploads;

    /// <summary>Remote results discarded because a blob failed verification.</summary>
    public int Rejected => _rejected;

    /// <summary>Requests that failed after their retries (each treated as a miss or a skipped upload).</summary>
    public int Failed => _failed;

    public long BytesDown => Interlocked.Read(ref _bytesDown);
    public long BytesUp => Interlocked.Read(ref _bytesUp);
    public string? Disabled { get; set; }

    public void Hit() => Interlocked.Increment(ref _hits);
    public void Uploaded() => Interlocked.Increment(ref _uploads);
    public void Reject() => Interlocked.Increment(ref _rejected);
    public void Fail() => Interlocked.Increment(ref _failed);
    public void Down(long bytes) => Interlocked.Add(ref _bytesDown, bytes);
    public void Up(long bytes) => Interlocked.Add(ref _bytesUp, bytes);
}
