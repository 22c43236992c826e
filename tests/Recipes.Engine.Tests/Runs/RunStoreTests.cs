using System.Text.Json.Nodes;
using Recipes.Engine.Tests.Support;
using Recipes.Runs;

namespace Recipes.Engine.Tests.Runs;

public sealed class RunStoreTests
{
    private static RunRecord Record(DateTime started, string recipe = "x", RunStatus status = RunStatus.Completed, int? pid = null) => new()
    {
        Id = RunStore.NewId(started),
        Status = status,
        Started = started,
        Ended = status == RunStatus.Running ? null : started.AddSeconds(1),
        Recipe = recipe,
        RecipePath = "/nowhere/" + recipe + ".yaml",
        PlanKey = new string('a', 32),
        Executor = "local",
        Pid = pid ?? Environment.ProcessId,
        Host = Environment.MachineName,
        Parameters = new JsonObject { ["seed"] = 1, ["parameters.space.a.choice"] = new JsonArray(1, 2) },
        Stages = [new RunStage("render", 2, 1, 1, 0, 0, 0.5, 0.25)],
        NodeList = [new RunNode("render/000000", "render", "executed", new string('b', 32), 0.25, 1 << 20)],
        Metrics = new JsonObject { ["train.loss"] = 0.5 },
    };

    [Fact]
    public void RecordsRoundTripAndListNewestFirst()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.Root);
        var t = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var old = Record(t);
        var recent = Record(t.AddMinutes(1), "y");
        store.Save(old);
        store.Save(recent);

        var runs = store.List();
        Assert.Equal([recent.Id, old.Id], runs.Select(r => r.Id));
        Assert.Equal(old.ToJson().ToJsonString(), runs[1].ToJson().ToJsonString());
        Assert.Equal([old.Id], store.List("x").Select(r => r.Id));
        Assert.Equal(recent.Id, store.Resolve("HEAD").Id);
        Assert.Equal(old.Id, store.Resolve("HEAD^").Id);
        Assert.Equal(old.Id, store.Resolve("head~1").Id);
        Assert.Equal(old.Id, store.Resolve("HEAD", "x").Id);
        Assert.StartsWith("20260102T030405000Z-", old.Id);
    }

    [Fact]
    public void UnknownAmbiguousAndOutOfRangeReferencesSayWhy()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.Root);
        Assert.Contains("no runs recorded", Assert.Throws<RunLookupException>(() => store.Resolve("HEAD")).Message);
        var t = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        store.Save(Record(t));
        store.Save(Record(t.AddSeconds(1)));
        Assert.Contains("only 2 runs recorded (HEAD to HEAD~1)", Assert.Throws<RunLookupException>(() => store.Resolve("HEAD~2")).Message);
        Assert.Contains("matches 2 runs", Assert.Throws<RunLookupException>(() => store.Resolve("2026")).Message);
        Assert.Contains("no run 'zz'", Assert.Throws<RunLookupException>(() => store.Resolve("zz")).Message);
        Assert.Contains("of y", Assert.Throws<RunLookupException>(() => store.Resolve("HEAD", "y")).Message);
        Assert.Contains("empty run reference", Assert.Throws<RunLookupException>(() => store.Resolve("")).Message);
    }

    [Fact]
    public void TornNewerAndForeignFilesAreSkipped()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.Root);
        store.Save(Record(DateTime.UtcNow));
        File.WriteAllText(Path.Combine(store.Root, "torn.json"), "{\"format\": 1, \"id\": \"x");
        File.WriteAllText(Path.Combine(store.Root, "newer.json"), "{\"format\": 99, \"id\": \"x\", \"recipe\": \"x\", \"started\": \"2026-01-01T00:00:00Z\", \"status\": \"completed\"}");
        File.WriteAllText(Path.Combine(store.Root, ".tmp-123"), "{");
        Assert.Single(store.List());
    }

    [Fact]
    public void ARunningRecordWhoseProcessIsGoneReadsAsInterrupted()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.Root);
        var t = DateTime.UtcNow;
        // This process is alive; a pid far above any the kernel hands out is not.
        store.Save(Record(t, status: RunStatus.Running));
        store.Save(Record(t.AddSeconds(1), status: RunStatus.Running, pid: int.MaxValue - 1));
        // Alive, but started long after the record: a reused pid, not the build.
        store.Save(Record(t.AddSeconds(2), status: RunStatus.Running, pid: Environment.ProcessId) with { Pid = 1, ProcessStarted = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc) });
        // Another host cannot be checked, so it is taken at its word.
        store.Save(Record(t.AddSeconds(3), status: RunStatus.Running) with { Host = "elsewhere", Pid = int.MaxValue - 1 });
        Assert.Equal([RunStatus.Running, RunStatus.Interrupted, RunStatus.Interrupted, RunStatus.Running], store.List().Select(r => r.Status));
    }

    [Fact]
    public void TrimKeepsTheNewestAndRunningRecordsAndDropsOldOnes()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.Root);
        var now = DateTime.UtcNow;
        for (var i = 0; i < 5; i++) store.Save(Record(now.AddDays(-10 + i)));
        var running = Record(now.AddDays(-20), status: RunStatus.Running);
        store.Save(running);
        Assert.Equal(2, store.Trim(3, null, now));
        Assert.Equal(4, store.List().Count);
        Assert.Equal(3, store.Trim(100, TimeSpan.FromDays(1), now));
        Assert.Equal([running.Id], store.List().Select(r => r.Id));
        Assert.Equal(0, new RunStore(Path.Combine(dir.Root, "absent")).Trim(1, null, now));
    }

    [Fact]
    public void DiffComparesParametersMetricsAndKeys()
    {
        var t = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var a = Record(t);
        var b = Record(t.AddMinutes(1)) with
        {
            Parameters = new JsonObject { ["seed"] = 2, ["parameters.space.a.choice"] = new JsonArray(1, 2), ["new"] = true },
            Metrics = new JsonObject { ["train.loss"] = 0.25, ["train.epochs"] = 3 },
            NodeList = [new RunNode("render/000000", "render", "failed", new string('c', 32), 0.1, null), new RunNode("render/000001", "render", "executed", null, null, null)],
        };
        var diff = RunDiff.Between(a, b, cache: null);
        Assert.Equal(["new", "seed"], diff.Parameters.Select(p => p.Path));
        Assert.False(diff.Parameters[0].InA);
        var loss = diff.Metrics.Single(m => m.Name == "train.loss");
        Assert.Equal(-0.25, loss.Delta);
        Assert.Equal(-50, loss.Percent);
        Assert.Null(diff.Metrics.Single(m => m.Name == "train.epochs").Delta);
        var changed = diff.Nodes.Single(n => n.Id == "render/000000");
        Assert.Equal(["failed in B", "action key differs (a cache entry is gone, so the cause cannot be shown)"], changed.Reasons);
        Assert.Equal("only_b", diff.Nodes.Single(n => n.Id == "render/000001").Change);
        Assert.Equal(b.Id, diff.ToJson()["b"]!.GetValue<string>());
    }
}
