using Recipes.Plugins;

namespace Recipes.Execution;

/// <summary>
/// The engine's side of <see cref="IUpstreamFeed"/>: one slot per dependency, filled as each finishes. A node that
/// started early (online training) waits on the slots it needs; an ordinary node gets a feed already full.
/// </summary>
public sealed class UpstreamFeed : IUpstreamFeed
{
    private readonly TaskCompletionSource<UpstreamArtifacts>[] _slots;
    private int _available;

    public UpstreamFeed(int count)
    {
        _slots = Enumerable.Range(0, count).Select(_ => new TaskCompletionSource<UpstreamArtifacts>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
    }

    public static UpstreamFeed Full(IReadOnlyList<UpstreamArtifacts> upstream)
    {
        var feed = new UpstreamFeed(upstream.Count);
        for (var i = 0; i < upstream.Count; i++) feed.Complete(i, upstream[i]);
        return feed;
    }

    public int Count => _slots.Length;
    public int Available => Volatile.Read(ref _available);

    public void Complete(int index, UpstreamArtifacts artifacts)
    {
        if (_slots[index].TrySetResult(artifacts)) Interlocked.Increment(ref _available);
    }

    public void Fail(string reason)
    {
        foreach (var slot in _slots) slot.TrySetException(new PluginException(reason));
    }

    public Task<UpstreamArtifacts> WaitAsync(int index, CancellationToken cancellationToken) => _slots[index].Task.WaitAsync(cancellationToken);
}
