namespace Recipes.Scheduling;

/// <summary>
/// The scheduler, in the manner of ninja's <c>Plan</c>: which nodes may start, in what order, within which slots, and
/// what follows when one finishes or fails. It does no I/O and keeps no clock: the engine asks <see cref="NextToStart"/>,
/// runs what it gets, and reports back with <see cref="NodeFinished"/>, <see cref="NodeFailed"/> or
/// <see cref="NodeCancelled"/>; cache lookups (early cutoff) are the caller's, answered through <see cref="Resolved"/>.
/// Tested on in-memory graphs.
/// </summary>
public sealed class BuildPlan
{
    // Locally a few thousand ready nodes more than fill the slots; a cluster executor (thousands of slots) scans all.
    private const int LocalScanLimit = 4096;

    private readonly IReadOnlyList<PlanNode> _nodes;
    private readonly PlanSlots _slots;
    private readonly List<int>[] _dependents;
    private readonly int[] _pending;
    private readonly PlanState[] _state;
    private readonly bool[] _announced;
    private readonly SortedSet<(long Priority, int Index)> _ready = [];
    private readonly Dictionary<int, PlanLaunch> _running = [];
    private readonly int _scanLimit;
    private int _freeThreads;
    private int _freeGpus;

    /// <param name="nodes">The graph in topological order (every dependency has a lower index).</param>
    /// <param name="slots">What may run at once.</param>
    /// <param name="done">Nodes already done before the build starts (cache hits of the probe).</param>
    public BuildPlan(IReadOnlyList<PlanNode> nodes, PlanSlots slots, IReadOnlyList<bool> done)
    {
        if (done.Count != nodes.Count) throw new ArgumentException("one done flag per node", nameof(done));
        _nodes = nodes;
        _slots = slots with { Threads = Math.Max(1, slots.Threads), Gpus = Math.Max(0, slots.Gpus) };
        _freeThreads = _slots.Threads;
        _freeGpus = _slots.Gpus;
        _scanLimit = _slots.Threads > LocalScanLimit ? int.MaxValue : LocalScanLimit;
        _dependents = new List<int>[nodes.Count];
        _pending = new int[nodes.Count];
        _state = new PlanState[nodes.Count];
        _announced = new bool[nodes.Count];
        for (var i = 0; i < nodes.Count; i++) _dependents[i] = [];
        for (var i = 0; i < nodes.Count; i++)
            foreach (var dependency in nodes[i].Dependencies)
            {
                if (dependency < 0 || dependency >= i) throw new ArgumentException($"node {i} depends on {dependency}: nodes must be in topological order", nameof(nodes));
                _dependents[dependency].Add(i);
            }

        Initial = new PlanUpdate();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (done[i])
            {
                _state[i] = PlanState.Done;
                continue;
            }
            _pending[i] = nodes[i].Dependencies.Count(d => !done[d]);
            // A node whose inputs are all cached was looked up by the probe already: it is ready, not resolving.
            if (_pending[i] == 0 || MayStartEarly(i)) MakeReady(i, Initial);
        }
    }

    /// <summary>Nodes ready when the plan was made.</summary>
    public PlanUpdate Initial { get; }

    public int Count => _nodes.Count;
    public int RunningCount => _running.Count;
    public bool LaunchingStopped { get; private set; }

    public PlanState StateOf(int index) => _state[index];

    /// <summary>
    /// The most urgent ready node that fits in the free slots, with those slots reserved; null when none fits (or
    /// launching stopped). Call it until null after every change.
    /// </summary>
    public PlanLaunch? NextToStart()
    {
        if (LaunchingStopped || _freeThreads == 0) return null;
        var scanned = 0;
        PlanLaunch? chosen = null;
        (long, int) item = default;
        foreach (var candidate in _ready)
        {
            if (++scanned > _scanLimit) break;
            var index = candidate.Index;
            var node = _nodes[index];
            var early = _pending[index] > 0;
            var threads = Math.Clamp(node.Threads, 1, _slots.Threads);
            // A node started early leaves a slot for the upstream work it waits on.
            if (early) threads = Math.Max(1, Math.Min(threads, _slots.Threads - 1));
            var gpus = Math.Min(Math.Max(0, node.Gpus), _slots.Gpus);
            if (threads > _freeThreads || gpus > _freeGpus) continue;
            chosen = new PlanLaunch(index, threads, gpus, early);
            item = candidate;
            break;
        }
        if (chosen is not { } launch) return null;
        _ready.Remove(item);
        _freeThreads -= launch.Threads;
        _freeGpus -= launch.Gpus;
        _state[launch.Index] = PlanState.Running;
        _running[launch.Index] = launch;
        return launch;
    }

    /// <summary>A node ran (or found its result in the cache): its dependents move on.</summary>
    public PlanUpdate NodeFinished(int index)
    {
        var update = new PlanUpdate();
        if (Release(index)) return update;
        _state[index] = PlanState.Done;
        Complete(index, update);
        return update;
    }

    /// <summary>
    /// The caller's cache lookup for a node in <see cref="PlanUpdate.Resolvable"/>: a hit completes it like a finished
    /// node (early cutoff: its dependents may resolve in turn), a miss makes it ready.
    /// </summary>
    public PlanUpdate Resolved(int index, bool cached)
    {
        if (_state[index] != PlanState.Resolving) throw new InvalidOperationException($"node {index} is {_state[index]}, not resolving");
        var update = new PlanUpdate();
        if (cached)
        {
            _state[index] = PlanState.Done;
            Complete(index, update);
        }
        else MakeReady(index, update);
        return update;
    }

    /// <summary>A node failed: everything downstream is skipped; without keep-going nothing new starts.</summary>
    public PlanUpdate NodeFailed(int index)
    {
        var update = new PlanUpdate();
        if (Release(index)) return update;
        _state[index] = PlanState.Failed;
        var queue = new Queue<int>(_dependents[index]);
        while (queue.Count > 0)
        {
            var next = queue.Dequeue();
            if (_state[next] is not (PlanState.Waiting or PlanState.Ready or PlanState.Resolving or PlanState.Running)) continue;
            if (_state[next] == PlanState.Ready) _ready.Remove((_nodes[next].Priority, next));
            // A running dependent is one started early; it keeps its slots until its run returns.
            _state[next] = PlanState.Skipped;
            update.Skipped.Add(next);
            foreach (var dependent in _dependents[next]) queue.Enqueue(dependent);
        }
        if (!_slots.KeepGoing) LaunchingStopped = true;
        return update;
    }

    /// <summary>A node's run was interrupted.</summary>
    public void NodeCancelled(int index)
    {
        if (!Release(index)) _state[index] = PlanState.Cancelled;
    }

    /// <summary>Start nothing more (Ctrl-C, or a failure without keep-going); running nodes finish.</summary>
    public void StopLaunching() => LaunchingStopped = true;

    /// <summary>Frees a running node's slots; true when the node had been skipped meanwhile (its result is moot).</summary>
    private bool Release(int index)
    {
        if (_running.Remove(index, out var launch))
        {
            _freeThreads += launch.Threads;
            _freeGpus += launch.Gpus;
        }
        return _state[index] == PlanState.Skipped;
    }

    private void Complete(int index, PlanUpdate update)
    {
        foreach (var dependent in _dependents[index])
        {
            if (_state[dependent] is not (PlanState.Waiting or PlanState.Ready or PlanState.Running)) continue;
            if (--_pending[dependent] > 0)
            {
                if (_state[dependent] == PlanState.Waiting && MayStartEarly(dependent)) MakeReady(dependent, update);
                continue;
            }
            if (_state[dependent] == PlanState.Running)
            {
                update.KeysKnown.Add(dependent);
                continue;
            }
            if (_state[dependent] == PlanState.Ready) _ready.Remove((_nodes[dependent].Priority, dependent));
            _state[dependent] = PlanState.Resolving;
            update.Resolvable.Add(dependent);
        }
    }

    // Starting a node early only pays when another slot is left for the work it waits on, and only once some input is
    // there to read.
    private bool MayStartEarly(int index) =>
        _slots.Speculate && _slots.Threads > 1 && _nodes[index].Streaming && _pending[index] > 0 && _pending[index] < _nodes[index].Dependencies.Count;

    private void MakeReady(int index, PlanUpdate update)
    {
        _state[index] = PlanState.Ready;
        _ready.Add((_nodes[index].Priority, index));
        if (_announced[index]) return;
        _announced[index] = true;
        update.Queued.Add(index);
    }
}
