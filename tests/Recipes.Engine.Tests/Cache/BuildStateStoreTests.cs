using Recipes.Cache;
using Recipes.Engine.Tests.Support;

namespace Recipes.Engine.Tests.Cache;

public sealed class BuildStateStoreTests
{
    [Fact]
    public void RecordsRoundTripWithTheirOutputsMetricsAndMessages()
    {
        using var dir = new TempDirectory();
        var store = new BuildStateStore(Path.Combine(dir.Root, "state"));
        var recipe = dir.Write("recipe.yaml", "recipe: x\n");
        NodeRecord[] records =
        [
            new("render/000000", new string('a', 32), false, "")
            {
                Outputs = [new OutputFile("case.ini", new string('b', 32), 40), new OutputFile("sub/ünï.txt", new string('c', 32), 7)],
                Metrics = NodeMetrics.FromJson("{\"loss\":0.25}"),
            },
            new("simulate/000000", new string('d', 32), true, "solver exited with 3:\n\tline two \\ back"),
            new("dataset/shard-0000", new string('e', 32), false, "") { Outputs = [], Metrics = NodeMetrics.Empty },
        ];
        store.Save("x", recipe, records);

        var loaded = store.Load("x", recipe);
        Assert.Equal(3, loaded.Count);
        var render = loaded["render/000000"];
        Assert.Equal(records[0].Key, render.Key);
        Assert.Equal(records[0].Outputs, render.Outputs);
        Assert.Equal("{\"loss\":0.25}", render.Metrics!.Json);
        var failed = loaded["simulate/000000"];
        Assert.True(failed.Failed);
        Assert.Equal(records[1].Message, failed.Message);
        Assert.Null(failed.Outputs);
        Assert.Empty(loaded["dataset/shard-0000"].Outputs!);
        Assert.True(loaded["dataset/shard-0000"].Metrics!.IsEmpty);
        Assert.Same(loaded, store.Load("x", recipe));
    }

    [Fact]
    public void AMissingSnapshotIsEmptyAndASavedOneIsReadAgain()
    {
        using var dir = new TempDirectory();
        var store = new BuildStateStore(Path.Combine(dir.Root, "state"));
        var recipe = dir.Write("recipe.yaml", "recipe: x\n");
        Assert.Empty(store.Load("x", recipe));
        store.Save("x", recipe, [new NodeRecord("a", new string('a', 32), false, "")]);
        var first = store.Load("x", recipe);
        store.Save("x", recipe, [new NodeRecord("a", new string('f', 32), false, "")]);
        Assert.Equal(new string('f', 32), store.Load("x", recipe)["a"].Key);
        Assert.Equal(new string('a', 32), first["a"].Key);
    }

    [Fact]
    public void TornLinesAreSkipped()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("state.tsv", "a\tkey\tok\t\t\t{}\nbroken line without tabs\nb\tkey2\tfailed\tboom\n");
        var records = BuildStateStore.LoadFile(path);
        Assert.Equal(["a", "b"], records.Keys.Order());
        Assert.Equal("boom", records["b"].Message);
    }
}
