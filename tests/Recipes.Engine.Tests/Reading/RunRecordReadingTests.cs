using System.Diagnostics;
using System.Text.Json.Nodes;
using Recipes.Engine.Tests.Support;
using Recipes.Runs;

namespace Recipes.Engine.Tests.Reading;

/// <summary>
/// docs/security.md, "Names from files": a run record is read through the bounded reader and its id is a name from a
/// file: a record whose id is not its own file name, that lists a node twice, or that is a pipe is skipped with one
/// warning, and <c>cache gc</c> deletes only records it read, by a name the path policy allows.
/// </summary>
public sealed class RunRecordReadingTests
{
    private static RunRecord Record(string id) => new()
    {
        Id = id, Status = RunStatus.Completed, Started = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), Recipe = "x", RecipePath = "/nowhere/x.yaml",
        PlanKey = new string('a', 32), Executor = "local", Pid = 1, Host = "elsewhere",
        NodeList = [new RunNode("render/000000", "render", "executed", new string('b', 32), 0.25, null)],
    };

    private static void Plant(RunStore store, string file, JsonObject json)
    {
        Directory.CreateDirectory(store.Root);
        File.WriteAllText(Path.Combine(store.Root, file), json.ToJsonString());
    }

    [Fact]
    public void ARecordWhoseIdLeadsOutsideIsSkippedAndGcNeverDeletesOutside()
    {
        using var dir = new TempDirectory();
        var victim = dir.Write("victim.json", "keep me");
        var warnings = new List<string>();
        var store = new RunStore(Path.Combine(dir.Root, "cache")) { Warn = warnings.Add };
        var crafted = Record("../../victim").ToJson();
        Plant(store, "20260102T030405000Z-aaaaaa.json", crafted);
        store.Save(Record("20260102T030406000Z-bbbbbb"));

        Assert.Equal(["20260102T030406000Z-bbbbbb"], store.List().Select(r => r.Id));
        Assert.Equal(1, store.Trim(0, null, DateTime.UtcNow));

        Assert.True(File.Exists(victim));
        Assert.Equal("run record 20260102T030405000Z-aaaaaa.json skipped: its id is not a plain file name (an output path that is not normalized or leaves its directory '../../victim')",
            Assert.Single(warnings.Distinct()));
    }

    [Fact]
    public void ARecordListingANodeTwiceIsSkippedWithOneWarning()
    {
        using var dir = new TempDirectory();
        var warnings = new List<string>();
        var store = new RunStore(dir.Root) { Warn = warnings.Add };
        var json = Record("20260102T030405000Z-aaaaaa").ToJson();
        json["node_list"]!.AsArray().Add(json["node_list"]![0]!.DeepClone());
        Plant(store, "20260102T030405000Z-aaaaaa.json", json);

        Assert.Empty(store.List());
        Assert.Empty(store.List());
        Assert.Equal("run record 20260102T030405000Z-aaaaaa.json skipped: it lists node 'render/000000' twice", Assert.Single(warnings));
    }

    [Fact]
    public async Task APipePlacedAsARecordIsSkippedWithoutBlocking()
    {
        using var dir = new TempDirectory();
        var warnings = new List<string>();
        var store = new RunStore(dir.Root) { Warn = warnings.Add };
        Directory.CreateDirectory(store.Root);
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(store.Root, "20260102T030405000Z-aaaaaa.json")])) mkfifo.WaitForExit();
        store.Save(Record("20260102T030406000Z-bbbbbb"));

        var listed = await Task.Run(() => store.List()).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(listed);
        Assert.Contains("is empty or not a regular file", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("HEAD~99999999999")]
    [InlineData("HEAD~2147483648")]
    public void AReferenceFarBeyondTheRecordsIsALookupError(string reference)
    {
        using var dir = new TempDirectory();
        var store = new RunStore(dir.Root);
        store.Save(Record("20260102T030406000Z-bbbbbb"));
        Assert.Equal($"{reference}: only 1 run recorded (HEAD to HEAD~0)", Assert.Throws<RunLookupException>(() => store.Resolve(reference)).Message);
    }
}
