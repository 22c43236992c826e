using System.Text.Json.Nodes;
using CsCheck;
using Recipes.Runs;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// docs/security.md, "Names from files" and "One reading discipline" for run records: planted or damaged records
/// under <c>runs/</c> (ids leading outside, nodes twice, fields of other types, 1e400 seconds, escapes in names,
/// truncated or flipped bytes, odd file names) are listed, resolved, diffed, written as <c>--json</c> and trimmed by
/// <c>cache gc</c>: each is used or skipped with one warning, lookups fail with one line, and nothing outside the
/// runs directory is deleted.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class RunRecordFuzzTests
{
    private const string IdA = "20260102T030405000Z-aaaaaa";
    private const string IdB = "20260102T030406000Z-bbbbbb";

    private static RunRecord Record(string id, double metric) => new()
    {
        Id = id, Status = RunStatus.Completed, Started = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), Ended = new DateTime(2026, 1, 2, 3, 4, 6, DateTimeKind.Utc),
        Recipe = "sweep", RecipePath = "/nowhere/recipe.yaml", PlanKey = new string('a', 32), Executor = "local", Pid = 1, Host = "elsewhere",
        Overrides = ["parameters.space.a.choice=[1]"],
        Set = new JsonObject { ["parameters.space.a.choice"] = new JsonArray(1) },
        Parameters = new JsonObject { ["seed"] = 3, ["parameters.space.a.choice"] = new JsonArray(1, 2), ["base_case.params.note"] = "text" },
        Nodes = 2, Executed = 1, Cached = 1, Seconds = 0.5, PeakRssBytes = 1 << 20,
        Stages = [new RunStage("simulate", 2, 1, 1, 0, 0, 0.4, 0.3)],
        NodeList = [new RunNode("simulate/000000", "simulate", "executed", new string('b', 32), 0.25, 1000), new RunNode("dataset", "dataset", "cached", null, null, null)],
        Metrics = new JsonObject { ["dataset.rows"] = metric, ["dataset.note"] = "x" },
        Targets = [new RunTarget("t", ["lr"], "loss", false, [new RunTargetPoint("lr=0.1", new JsonObject { ["loss"] = 0.5 })], true)],
    };

    /// <summary>A planted record: a valid one edited structurally and byte by byte, under its own name or another (an id from the nasty names).</summary>
    private static readonly Gen<(string File, byte[] Bytes)> Planted = Gen.Select(JsonMutation.Gen.Array[0, 4], ByteMutation.Many(3), Gen.Frequency(
            (4, Gen.Const(IdA)), (1, Gen.OneOf("20200101T000000000Z-cccccc", "HEAD", "..", "x y", "\u001b[31m")), (1, Nasty.Token.Select(t => t.Length > 100 ? t[..100] : t))),
        (json, bytes, name) => (name, ByteMutation.ApplyAll(Nasty.Utf8(JsonMutation.ApplyAll(Record(IdA, 12).ToJson(), json)), bytes)));

    [Fact]
    public void AnyPlantedRecordIsUsedOrSkippedAndGcDeletesNothingOutside()
    {
        using var dir = new FuzzDirectory();
        FuzzBudget.Run("run-records", Planted.Array[1, 3], planted =>
        {
            var cache = dir.NewCase();
            var warnings = new List<string>();
            var store = new RunStore(cache) { Warn = warnings.Add };
            store.Save(Record(IdB, 18));
            foreach (var (name, bytes) in planted)
            {
                // A name that cannot be a file here (a slash, a NUL, too long) is what a planted file cannot be either.
                if (name.Length == 0 || name.IndexOfAny(['/', '\0']) >= 0 || name.Length > 200) continue;
                File.WriteAllBytes(Path.Combine(store.Root, name + ".json"), bytes);
            }

            var listed = store.List();
            Assert.Contains(listed, r => r.Id == IdB);
            foreach (var record in listed)
            {
                Assert.Null(RunStore.IdProblem(record.Id, record.Id));
                Assert.Equal(record.NodeList.Count, record.NodeList.Select(n => n.Id).Distinct(StringComparer.Ordinal).Count());
                // runs --json and the report write the record again: it must be writable JSON (nothing non-finite).
                _ = record.ToJson().ToJsonString();
            }
            foreach (var warning in warnings) Contract.OneLine(warning, "run record warning");

            foreach (var reference in new[] { "HEAD", "HEAD~1", "HEAD~2", "HEAD~99999999999", "2026", "", IdA, "\u001b[31m" })
            {
                try
                {
                    var found = store.Resolve(reference);
                    Assert.Contains(listed, r => r.Id == found.Id);
                }
                catch (RunLookupException e) { Contract.OneLine(e.Message, "run lookup"); }
            }
            foreach (var a in listed)
            {
                var diff = RunDiff.Between(a, listed[0], null);
                // diff --json
                _ = diff.ToJson().ToJsonString();
            }

            store.Trim(0, null, DateTime.UtcNow);
            Assert.DoesNotContain(IdB + ".json", Directory.EnumerateFiles(store.Root).Select(Path.GetFileName));
            FuzzDirectory.DeleteQuietly(cache);
        }, ciCases: 1500, FuzzSeed.For("run-records"), print: p => string.Join(" | ", p.Select(x => Escaping.TerminalText.Clean(x.File) + ": " + ProjectFileFuzzTests.Show(x.Bytes))));
        dir.AssertOutsideUntouched();
    }
}
