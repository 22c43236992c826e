using Recipes.Scheduling;

namespace Recipes.Engine.Tests.Scheduling;

/// <summary>The scheduler alone, on graphs of a few nodes: no files, no cache, no clock.</summary>
public sealed class BuildPlanTests
{
    private static PlanNode Node(params int[] dependencies) => new(dependencies);

    private static BuildPlan Plan(IReadOnlyList<PlanNode> nodes, PlanSlots slots, params int[] done) =>
        new(nodes, slots, nodes.Select((_, i) => done.Contains(i)).ToArray());

    /// <summary>Starts everything startable, returning the launches in order.</summary>
    private static List<PlanLaunch> StartAll(BuildPlan plan)
    {
        var launches = new List<PlanLaunch>();
        while (plan.NextToStart() is { } launch) launches.Add(launch);
        return launches;
    }

    /// <summary>Answers every cache lookup with a miss, as a build of a cold cache does.</summary>
    private static PlanUpdate MissAll(BuildPlan plan, PlanUpdate update)
    {
        foreach (var index in update.Resolvable.ToList()) plan.Resolved(index, cached: false);
        return update;
    }

    [Fact]
    public void AChainRunsInDependencyOrderOneAtATime()
    {
        var plan = Plan([Node(), Node(0), Node(1)], new PlanSlots(Threads: 4));
        Assert.Equal([0], plan.Initial.Queued);
        Assert.Equal([0], StartAll(plan).Select(l => l.Index));
        var update = plan.NodeFinished(0);
        Assert.Equal([1], update.Resolvable);
        Assert.Equal(PlanState.Resolving, plan.StateOf(1));
        Assert.Null(plan.NextToStart());
        plan.Resolved(1, cached: false);
        Assert.Equal([1], StartAll(plan).Select(l => l.Index));
        MissAll(plan, plan.NodeFinished(1));
        Assert.Equal([2], StartAll(plan).Select(l => l.Index));
        plan.NodeFinished(2);
        Assert.Equal(0, plan.RunningCount);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(PlanState.Done, plan.StateOf(i)));
    }

    [Fact]
    public void ReadyNodesStartByPriorityThenIndex()
    {
        var nodes = new[] { new PlanNode([], Priority: 5), new PlanNode([], Priority: 1), new PlanNode([], Priority: 3), new PlanNode([], Priority: 1) };
        var plan = Plan(nodes, new PlanSlots(Threads: 1));
        var order = new List<int>();
        while (plan.NextToStart() is { } launch)
        {
            order.Add(launch.Index);
            plan.NodeFinished(launch.Index);
        }
        Assert.Equal([1, 3, 2, 0], order);
    }

    [Fact]
    public void NodesStartOnlyWhileTheirThreadsAndGpusAreFree()
    {
        // Two GPU nodes and a CPU node on 3 threads and 1 GPU: one GPU node at a time, the CPU node beside it.
        var nodes = new[] { new PlanNode([], Threads: 1, Gpus: 1), new PlanNode([], Threads: 1, Gpus: 1), new PlanNode([], Threads: 2) };
        var plan = Plan(nodes, new PlanSlots(Threads: 3, Gpus: 1));
        var first = StartAll(plan);
        Assert.Equal([0, 2], first.Select(l => l.Index));
        Assert.Equal(3, first.Sum(l => l.Threads));
        plan.NodeFinished(2);
        Assert.Empty(StartAll(plan));
        plan.NodeFinished(0);
        Assert.Equal([1], StartAll(plan).Select(l => l.Index));
    }

    [Fact]
    public void ANodeWantingMoreThreadsThanTheBuildHasGetsThemAll()
    {
        var plan = Plan([new PlanNode([], Threads: 16), Node()], new PlanSlots(Threads: 2));
        var launches = StartAll(plan);
        Assert.Equal([0], launches.Select(l => l.Index));
        Assert.Equal(2, launches[0].Threads);
    }

    [Fact]
    public void AFailureSkipsEverythingDownstreamOnceAndStopsLaunching()
    {
        // 0 -> 1, 0 -> 2, (1, 2) -> 3; 4 is independent.
        var nodes = new[] { Node(), Node(0), Node(0), Node(1, 2), new PlanNode([], Priority: 1) };
        var plan = Plan(nodes, new PlanSlots(Threads: 1));
        Assert.Equal(0, plan.NextToStart()!.Value.Index);
        var update = plan.NodeFailed(0);
        Assert.Equal([1, 2, 3], update.Skipped.Order());
        Assert.True(plan.LaunchingStopped);
        Assert.Null(plan.NextToStart());
        Assert.Equal(PlanState.Failed, plan.StateOf(0));
        Assert.Equal(PlanState.Ready, plan.StateOf(4));
    }

    [Fact]
    public void KeepGoingRunsWhatDoesNotDependOnTheFailure()
    {
        var nodes = new[] { Node(), Node(0), new PlanNode([], Priority: 1), Node(2) };
        var plan = Plan(nodes, new PlanSlots(Threads: 1, KeepGoing: true));
        Assert.Equal(0, plan.NextToStart()!.Value.Index);
        Assert.Equal([1], plan.NodeFailed(0).Skipped);
        Assert.False(plan.LaunchingStopped);
        Assert.Equal(2, plan.NextToStart()!.Value.Index);
        MissAll(plan, plan.NodeFinished(2));
        Assert.Equal(3, plan.NextToStart()!.Value.Index);
        plan.NodeFinished(3);
        Assert.Equal([PlanState.Failed, PlanState.Skipped, PlanState.Done, PlanState.Done], Enumerable.Range(0, 4).Select(plan.StateOf));
    }

    [Fact]
    public void ACacheHitOfAResolvedNodeCutsOffAndCascades()
    {
        // 0 -> 1 -> 2: node 0 reruns, its output is unchanged, so 1 and 2 are hits one after the other and never run.
        var plan = Plan([Node(), Node(0), Node(1)], new PlanSlots(Threads: 2));
        Assert.Equal(0, plan.NextToStart()!.Value.Index);
        var update = plan.NodeFinished(0);
        Assert.Equal([1], update.Resolvable);
        var next = plan.Resolved(1, cached: true);
        Assert.Equal([2], next.Resolvable);
        Assert.Empty(plan.Resolved(2, cached: true).Resolvable);
        Assert.Null(plan.NextToStart());
        Assert.Equal(PlanState.Done, plan.StateOf(2));
        Assert.Throws<InvalidOperationException>(() => plan.Resolved(2, cached: true));
    }

    [Fact]
    public void CachedNodesAreDoneFromTheStartAndTheirDependentsReady()
    {
        var plan = Plan([Node(), Node(0), Node(1)], new PlanSlots(Threads: 2), done: 0);
        Assert.Equal([1], plan.Initial.Queued);
        Assert.Equal([1], StartAll(plan).Select(l => l.Index));
    }

    [Fact]
    public void AStreamingNodeStartsEarlyOnOneFewerThreadAndLearnsItsKeyWhenTheLastInputIsDone()
    {
        // Three simulations feed an online trainer (node 3, wants 4 threads) on a 2-thread build.
        var nodes = new[] { Node(), Node(), Node(), new PlanNode([0, 1, 2], Threads: 4, Priority: -1, Streaming: true) };
        var plan = Plan(nodes, new PlanSlots(Threads: 2, Speculate: true));
        Assert.Equal([0, 1], StartAll(plan).Select(l => l.Index));
        var afterFirst = plan.NodeFinished(0);
        Assert.Equal([3], afterFirst.Queued);
        var early = plan.NextToStart()!.Value;
        Assert.Equal((3, true, 1), (early.Index, early.Early, early.Threads));
        Assert.Null(plan.NextToStart());
        Assert.Empty(plan.NodeFinished(1).KeysKnown);
        Assert.Equal(2, plan.NextToStart()!.Value.Index);
        Assert.Equal([3], plan.NodeFinished(2).KeysKnown);
        plan.NodeFinished(3);
        Assert.Equal(PlanState.Done, plan.StateOf(3));
        Assert.Equal(0, plan.RunningCount);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void WithoutASpareThreadOrAStreamingExecutorNothingStartsEarly(int threads, bool speculate)
    {
        var nodes = new[] { Node(), Node(), new PlanNode([0, 1], Streaming: true) };
        var plan = Plan(nodes, new PlanSlots(Threads: threads, Speculate: speculate));
        foreach (var launch in StartAll(plan)) Assert.NotEqual(2, launch.Index);
        Assert.Empty(plan.NodeFinished(0).Queued);
        Assert.Equal(PlanState.Waiting, plan.StateOf(2));
    }

    [Fact]
    public void AnEarlyNodeWhoseInputFailsIsSkippedAndItsSlotFreedWhenItReturns()
    {
        var nodes = new[] { Node(), Node(), new PlanNode([0, 1], Priority: -1, Streaming: true), new PlanNode([], Priority: 9) };
        var plan = Plan(nodes, new PlanSlots(Threads: 2, KeepGoing: true, Speculate: true));
        Assert.Equal([0, 1], StartAll(plan).Select(l => l.Index));
        plan.NodeFinished(0);
        Assert.Equal(2, plan.NextToStart()!.Value.Index);
        var failure = plan.NodeFailed(1);
        Assert.Equal([2], failure.Skipped);
        Assert.Equal(PlanState.Skipped, plan.StateOf(2));
        // The early node still holds its thread until its cancelled run returns.
        Assert.Equal(3, plan.NextToStart()!.Value.Index);
        Assert.Null(plan.NextToStart());
        Assert.True(plan.NodeFinished(2).IsEmpty);
        Assert.Equal(PlanState.Skipped, plan.StateOf(2));
        Assert.Equal(1, plan.RunningCount);
    }

    [Fact]
    public void StoppingLaunchesNothingNewAndCancelledNodesFreeTheirSlots()
    {
        var plan = Plan([Node(), Node(), Node()], new PlanSlots(Threads: 2));
        Assert.Equal(2, StartAll(plan).Count);
        plan.StopLaunching();
        plan.NodeCancelled(0);
        plan.NodeCancelled(1);
        Assert.Null(plan.NextToStart());
        Assert.Equal(0, plan.RunningCount);
        Assert.Equal([PlanState.Cancelled, PlanState.Cancelled, PlanState.Ready], Enumerable.Range(0, 3).Select(plan.StateOf));
    }

    [Fact]
    public void NodesOutOfTopologicalOrderAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Plan([Node(1), Node()], new PlanSlots(Threads: 1)));
        Assert.Contains("topological order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWideGraphFinishesWithEveryNodeRunExactlyOnceWithinTheSlots()
    {
        // 200 samples x (render -> simulate) -> 4 shards -> train; a random finishing order, checked against the slots.
        var nodes = new List<PlanNode>();
        for (var s = 0; s < 200; s++) nodes.Add(new PlanNode([], Priority: s << 8));
        for (var s = 0; s < 200; s++) nodes.Add(new PlanNode([s], Threads: 1 + s % 3, Priority: (s << 8) | 1));
        for (var shard = 0; shard < 4; shard++) nodes.Add(new PlanNode(Enumerable.Range(200 + shard * 50, 50).ToArray(), Priority: 1_000_000));
        nodes.Add(new PlanNode([400, 401, 402, 403], Threads: 3, Priority: 2_000_000));
        var plan = Plan(nodes, new PlanSlots(Threads: 3));
        var random = new Random(7);
        var running = new List<PlanLaunch>();
        var runs = new int[nodes.Count];
        while (true)
        {
            while (plan.NextToStart() is { } launch)
            {
                running.Add(launch);
                runs[launch.Index]++;
                Assert.True(running.Sum(l => l.Threads) <= 3);
            }
            if (running.Count == 0) break;
            var finished = running[random.Next(running.Count)];
            running.Remove(finished);
            MissAll(plan, plan.NodeFinished(finished.Index));
        }
        Assert.All(runs, count => Assert.Equal(1, count));
        Assert.All(Enumerable.Range(0, nodes.Count), i => Assert.Equal(PlanState.Done, plan.StateOf(i)));
    }
}
