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

    [Theory]
    [InlineData(16)]
    [InlineData(61)]
    [InlineData(4096)]
    public void ASnapshotReadInChunksHoldsWhatItHoldsReadWhole(int chunk)
    {
        // Lines longer than a chunk, lines cut anywhere by a chunk's end, and a last line with no newline.
        using var dir = new TempDirectory();
        var store = new BuildStateStore(Path.Combine(dir.Root, "state"));
        var recipe = dir.Write("recipe.yaml", "recipe: x\n");
        var records = Enumerable.Range(0, 40).Select(i => new NodeRecord($"simulate/{i:D6}", $"{i:D32}", i % 7 == 3, i % 7 == 3 ? new string('m', i * 5) : "")
        {
            Outputs = i % 7 == 3 ? null : [.. Enumerable.Range(0, i % 4).Select(k => new OutputFile($"out{k}.txt", $"{i * 10 + k:D32}", i + k))],
            Metrics = i % 7 == 3 ? null : NodeMetrics.FromJson($"{{\"loss\":{i}}}"),
        }).ToList();
        store.Save("x", recipe, records);
        var path = store.PathFor("x", recipe);
        File.AppendAllText(path, "last\t" + new string('9', 32) + "\tok");

        var loaded = BuildStateStore.LoadFile(path, chunk);

        Assert.Equal(41, loaded.Count);
        foreach (var record in records)
        {
            var read = loaded[record.NodeId];
            Assert.Equal(record.Key, read.Key);
            Assert.Equal(record.Failed, read.Failed);
            Assert.Equal(record.Message, read.Message);
            Assert.Equal(record.Outputs, read.Outputs);
            Assert.Equal(record.Metrics?.Json, read.Metrics?.Json);
        }
        Assert.Equal(new string('9', 32), loaded["last"].Key);
    }

    [Fact]
    public void AFileOfNewlinesPresizesNothingAndHoldsNoRecords()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("state.tsv", new string('\n', 1 << 20));
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Empty(BuildStateStore.LoadFile(path));
        // A dictionary presized for a million lines would take 28 MB; sized for what the bytes can hold, under 1 MB
        // (beside the 4 MiB read buffer, which the pool may lend or allocate).
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 12 << 20, "a file of newlines presized a large dictionary");
    }

    [Fact]
    public void APreloadedSnapshotIsTakenOnlyWhileTheFileIsAsItWasRead()
    {
        using var dir = new TempDirectory();
        var store = new BuildStateStore(Path.Combine(dir.Root, "state")) { PreloadFrom = 0 };
        var recipe = dir.Write("recipe.yaml", "recipe: x\n");
        store.Preload("x", recipe);
        Assert.Empty(store.Load("x", recipe));

        store.Save("x", recipe, [new NodeRecord("a", new string('a', 32), false, "")]);
        store.Preload("x", recipe);
        Assert.Equal(["a"], store.Load("x", recipe).Keys);

        // Preloaded, then the file replaced (another build saved): the load reads the new file, not the stale read.
        var other = new BuildStateStore(Path.Combine(dir.Root, "state")) { PreloadFrom = 0 };
        other.Preload("x", recipe);
        store.Save("x", recipe, [new NodeRecord("a", new string('b', 32), false, ""), new NodeRecord("b", new string('c', 32), false, "")]);
        var loaded = other.Load("x", recipe);
        Assert.Equal(["a", "b"], loaded.Keys.Order());
        Assert.Equal(new string('b', 32), loaded["a"].Key);
    }
}
