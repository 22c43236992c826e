using Recipes.Engine.Tests.Support;
using Recipes.Lineage;
using Recipes.Runs;
using Recipes.Versions;

namespace Recipes.Engine.Tests.Lineage;

/// <summary>The forward pass over run records that why and export-provenance use agrees with the full reader on what it keeps.</summary>
public sealed class RunRecordScanTests
{
    private static RunRecord Record(DateTime started, string recipe, params RunNode[] nodes) => new()
    {
        Id = RunStore.NewId(started),
        Status = RunStatus.Completed,
        Started = started,
        Ended = started.AddSeconds(1),
        Recipe = recipe,
        RecipePath = "/nowhere/" + recipe + ".yaml",
        PlanKey = new string('a', 32),
        Executor = "local",
        Pid = Environment.ProcessId,
        Host = Environment.MachineName,
        Overrides = ["parameters.samples=3"],
        NodeList = nodes,
        ToolVersion = "0.1.0+" + new string('c', 40),
        Source = new SourceState(new string('d', 40), Dirty: true),
    };

    private static RunNode Node(string id, char key, DateTime? started = null) =>
        new(id, id.Split('/')[0], "executed", new string(key, 32), 0.5, null) { Started = started, Ended = started?.AddSeconds(0.5) };

    [Fact]
    public void KeepsTheHeaderAndOnlyTheWantedNodes()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.Root);
        var t = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var old = Record(t, "x", Node("render/000000", 'b', t), Node("simulate/000000", 'e', t.AddSeconds(1)));
        var recent = Record(t.AddMinutes(1), "x", Node("render/000000", 'b'));
        store.Save(old);
        store.Save(recent);
        store.Save(Record(t.AddMinutes(2), "y", Node("render/000000", 'b')));

        var headers = RunRecordScan.Read(dir.Root, "x", wanted: null);
        Assert.Equal([recent.Id, old.Id], headers.Select(r => r.Id));
        Assert.All(headers, r => Assert.Empty(r.NodeList));
        Assert.Equal(old.Overrides, headers[1].Overrides);
        Assert.Equal(old.RecipePath, headers[1].RecipePath);
        Assert.Equal(old.ToolVersion, headers[1].ToolVersion);
        Assert.Equal(old.Source, headers[1].Source);

        var kept = RunRecordScan.Read(dir.Root, "x", key => key == new string('e', 32));
        var node = Assert.Single(kept[1].NodeList);
        Assert.Equal("simulate/000000", node.Id);
        Assert.Equal(t.AddSeconds(1), node.Started);
        Assert.Equal(t.AddSeconds(1.5), node.Ended);
        Assert.Empty(kept[0].NodeList);
        Assert.Equal(3, RunRecordScan.Read(dir.Root, null, wanted: null).Count);
    }

    [Fact]
    public void SkipsWhatIsNotARecord()
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.Root);
        var t = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var good = Record(t, "x");
        store.Save(good);
        File.WriteAllText(Path.Combine(store.Root, RunStore.NewId(t.AddMinutes(1)) + ".json"), "{\"format\": 1, \"id\": [");
        File.WriteAllText(Path.Combine(store.Root, RunStore.NewId(t.AddMinutes(2)) + ".json"), "{\"format\": 99, \"id\": \"x\"}");
        // A record whose id is not its file name (copied over another) is not trusted, as RunStore does not trust it.
        File.WriteAllText(Path.Combine(store.Root, RunStore.NewId(t.AddMinutes(3)) + ".json"), good.ToJson().ToJsonString());
        Assert.Equal([good.Id], RunRecordScan.Read(dir.Root, "x", _ => true).Select(r => r.Id));
    }
}
