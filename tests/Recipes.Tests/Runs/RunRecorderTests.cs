using Recipes.Graph;
using Recipes.Runs;
using Recipes.Tests.Support;

namespace Recipes.Tests.Runs;

/// <summary>The recorder in-process: a running record before anything runs, then the outcome, or failed when the build throws.</summary>
public sealed class RunRecorderTests
{
    [Fact]
    public void BeginWritesARunningRecordAndCompleteRewritesIt()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var store = new RunStore(ws.CacheDir);
        var graph = GraphPlanner.Plan(ws.Load());
        using var recorder = RunRecorder.Begin(store, graph, [], "local", sampleMemory: true);
        var running = store.Resolve("HEAD");
        Assert.Equal(RunStatus.Running, running.Status);
        Assert.Null(running.Ended);
        Assert.Equal(13, running.Nodes);

        ws.Reporter = recorder;
        var done = recorder.Complete(ws.Build());
        Assert.Equal(RunStatus.Completed, done.Status);
        Assert.Equal(done.ToJson().ToJsonString(), store.Resolve(running.Id).ToJson().ToJsonString());
        Assert.Equal(13, done.NodeList.Count(n => n.Seconds is not null && n.PeakRssBytes > 0));
        // Each node that ran has its start and end (for PROV activities), within the build's, and they read back.
        Assert.All(store.Resolve(running.Id).NodeList, n =>
        {
            Assert.True(n.Started >= done.Started.AddMilliseconds(-1) && n.Started <= n.Ended && n.Ended <= done.Ended?.AddMilliseconds(1), $"{n.Id}: {n.Started:O} {n.Ended:O}");
        });
    }

    [Fact]
    public void AbortMarksTheRecordFailed()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var store = new RunStore(ws.CacheDir);
        using var recorder = RunRecorder.Begin(store, GraphPlanner.Plan(ws.Load()), ["parameters.space.b.choice.1=z"], "slurm", sampleMemory: false);
        recorder.Abort();
        var run = store.Resolve("HEAD");
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.NotNull(run.Ended);
        Assert.Null(run.PeakRssBytes);
        Assert.Equal("slurm", run.Executor);
        Assert.Equal("z", run.Set["parameters.space.b.choice.1"]!.GetValue<string>());
    }
}
