using System.Diagnostics;
using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Runs;

/// <summary>
/// Every build leaves a run record; <c>runs</c> lists them with the parameters that differ, <c>diff</c> compares two runs
/// or two recipe files, records survive <c>kill -9</c> as interrupted, and <c>cache gc</c> bounds them.
/// </summary>
public sealed class RunRecordTests
{
    private static JsonNode Json(Workspace ws, params string[] args)
    {
        var result = Support.Cli.Run(ws.Root, args);
        Assert.True(result.ExitCode == 0, $"recipes {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
        return JsonNode.Parse(result.LastLine)!;
    }

    private static JsonArray Runs(Workspace ws, params string[] extra) => Json(ws, ["runs", "--json", .. extra])["runs"]!.AsArray();

    private static string Text(JsonNode? node) => node!.GetValue<string>();

    private static string RunsDirectory(Workspace ws) => Path.Combine(ws.CacheDir, "runs");

    [Fact]
    public void TwoBuildsOfQuickstartListAndDiffExactlyTheChangedParameter()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("quickstart");
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
        // Fewer drag steps: 12 samples instead of 18, so the dataset's row count changes too.
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--set", "parameters.space.drag.steps=2").ExitCode);

        var listing = Json(ws, "runs", "--json");
        var runs = listing["runs"]!.AsArray();
        Assert.Equal(2, runs.Count);
        Assert.Equal(["parameters.space.drag.steps"], listing["parameters"]!.AsArray().Select(Text));
        // Newest first: the overridden build, then the plain one.
        Assert.Equal(2, runs[0]!["parameters"]!["parameters.space.drag.steps"]!.GetValue<int>());
        Assert.Equal(3, runs[1]!["parameters"]!["parameters.space.drag.steps"]!.GetValue<int>());
        Assert.Equal(["parameters.space.drag.steps=2"], runs[0]!["overrides"]!.AsArray().Select(Text));
        Assert.All(runs, r => Assert.Equal("completed", Text(r!["status"])));
        Assert.Equal(37, runs[1]!["executed"]!.GetValue<int>());
        Assert.Equal(24, runs[0]!["cached"]!.GetValue<int>());
        Assert.Equal(12, runs[0]!["metrics"]!["dataset.rows"]!.GetValue<int>());
        Assert.True(string.CompareOrdinal(Text(runs[0]!["id"]), Text(runs[1]!["id"])) > 0);
        Assert.Equal(2, Runs(ws, "quickstart").Count);
        Assert.Empty(Runs(ws, "another-recipe"));

        var diff = Json(ws, "diff", "HEAD~1", "HEAD", "--json");
        Assert.Equal(Text(runs[1]!["id"]), Text(diff["a"]));
        var parameter = Assert.Single(diff["parameters"]!.AsArray());
        Assert.Equal("parameters.space.drag.steps", Text(parameter!["path"]));
        Assert.Equal(3, parameter["a"]!.GetValue<int>());
        Assert.Equal(2, parameter["b"]!.GetValue<int>());
        var metric = Assert.Single(diff["metrics"]!.AsArray());
        Assert.Equal("dataset.rows", Text(metric!["name"]));
        Assert.Equal(-6, metric["delta"]!.GetValue<double>());
        var nodes = diff["nodes"]!.AsArray();
        Assert.Equal(12, nodes.Count(n => Text(n!["change"]) == "only_a"));
        var dataset = nodes.Single(n => Text(n!["id"]) == "dataset/shard-0000");
        Assert.Contains(dataset!["reasons"]!.AsArray().Select(Text), r => r.StartsWith("shard samples changed", StringComparison.Ordinal));
        // Samples are matched by their values: the 12 left (6 samples, render and simulate), nothing else "changed a parameter".
        Assert.All(nodes.Where(n => Text(n!["change"]) == "only_a"), n => Assert.Equal(["sample no longer in the space"], n!["reasons"]!.AsArray().Select(Text)));
        Assert.DoesNotContain(nodes, n => n!["reasons"]!.AsArray().Select(Text).Any(r => r.StartsWith("parameter ", StringComparison.Ordinal)));
        Assert.Equal(6, diff["samples"]!["gone"]!.GetValue<int>());
        Assert.Equal(["render", "simulate", "dataset"], diff["stages"]!.AsArray().Select(s => Text(s!["stage"])));

        // Prefixes resolve like whole ids; the text views show the same things.
        var prefix = Text(runs[0]!["id"])[..22];
        Assert.Equal(Text(runs[0]!["id"]), Text(Json(ws, "diff", "HEAD~1", prefix, "--json")["b"]));
        var table = Support.Cli.Run(ws.Root, "runs");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("parameters.space.drag.steps", table.Stdout);
        Assert.Contains("dataset.rows", table.Stdout);
        var text = Support.Cli.Run(ws.Root, "diff", "HEAD~1", "HEAD");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("parameters.space.drag.steps", text.Stdout);
        Assert.Contains("-33.3", text.Stdout);
    }

    [Fact]
    public void RecordHoldsKeysTimesMemoryAndTheResolvedOverride()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--set", "parameters.space.a.choice.0=7").ExitCode);
        var file = Assert.Single(Directory.GetFiles(RunsDirectory(ws)));
        var record = JsonNode.Parse(File.ReadAllText(file))!;
        Assert.Equal("completed", Text(record["status"]));
        Assert.Equal("sweep", Text(record["recipe"]));
        Assert.Equal(Support.Cli.Run(ws.Root, "cache", "key", "recipe.yaml", "--set", "parameters.space.a.choice.0=7").Stdout.Trim(), Text(record["plan_key"]));
        // The override is recorded as given and as resolved (typed, from inside the list it edits).
        Assert.Equal(["parameters.space.a.choice.0=7"], record["overrides"]!.AsArray().Select(Text));
        Assert.Equal(7, record["set"]!["parameters.space.a.choice.0"]!.GetValue<int>());
        Assert.Equal("[7,2,3]", record["parameters"]!["parameters.space.a.choice"]!.ToJsonString());
        Assert.Equal(Environment.MachineName, Text(record["host"]));
        var nodes = record["node_list"]!.AsArray();
        Assert.Equal(13, nodes.Count);
        Assert.All(nodes, n =>
        {
            Assert.Equal(32, Text(n!["key"]).Length);
            Assert.True(n["seconds"]!.GetValue<double>() >= 0);
            Assert.True(n["peak_rss_bytes"]!.GetValue<long>() > 1 << 20, "a node's peak memory is at least the tool's own");
        });
        Assert.True(record["stages"]!.AsArray().Single(s => Text(s!["stage"]) == "simulate")!["executed"]!.GetValue<int>() == 6);
        Assert.True(record["peak_rss_bytes"]!.GetValue<long>() > 1 << 20);

        // A no-op build is a run too, with every node cached and the same keys.
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--set", "parameters.space.a.choice.0=7").ExitCode);
        var again = Runs(ws)[0]!;
        Assert.Equal(13, again["cached"]!.GetValue<int>());
        Assert.Empty(Json(ws, "diff", "HEAD~1", "HEAD", "--json")["nodes"]!.AsArray());
    }

    [Fact]
    public void KillNineMidBuildLeavesAReadableRecordListedAsInterrupted()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, space: "a: { int: [1, 12] }\n    b: { choice: [x] }", command: "sleep 0.5; cat input.txt > out.txt; echo \"{}\" > result.json");
        using var process = Support.Cli.Start(ws.Root, null, "build", "recipe.yaml", "--jobs", "2");
        var clock = Stopwatch.StartNew();
        // The running record is written before any node starts; wait until nodes are under way too.
        while (!Directory.Exists(RunsDirectory(ws)) || !Directory.EnumerateFiles(RunsDirectory(ws), "*.json").Any() ||
               StoredEntries.Count(ws.CacheDir) == 0)
        {
            Assert.False(process.HasExited, "the build ended before it could be killed");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no run record appeared");
            Thread.Sleep(50);
        }
        var file = Directory.EnumerateFiles(RunsDirectory(ws), "*.json").Single();
        Assert.Equal("running", Text(JsonNode.Parse(File.ReadAllText(file))!["status"]));
        Assert.Equal("running", Text(Runs(ws)[0]!["status"]));
        process.Kill(entireProcessTree: false);
        process.WaitForExit();

        // On disk the record still says running (nobody rewrote it); read back, its process is gone, so it is interrupted.
        Assert.Equal("running", Text(JsonNode.Parse(File.ReadAllText(file))!["status"]));
        var run = Assert.Single(Runs(ws))!;
        Assert.Equal("interrupted", Text(run["status"]));
        Assert.Null(run["ended"]);
        Assert.Contains("interrupted", Support.Cli.Run(ws.Root, "runs").Stdout);

        // The next build records its own run, and the two compare.
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
        Assert.Equal(["completed", "interrupted"], Runs(ws).Select(r => Text(r!["status"])));
    }

    [Fact]
    public void CtrlCRewritesTheRecordAsInterrupted()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, space: "a: { int: [1, 12] }\n    b: { choice: [x] }", command: "sleep 0.5; cat input.txt > out.txt; echo \"{}\" > result.json");
        using var process = Support.Cli.Start(ws.Root, null, "build", "recipe.yaml", "--jobs", "2");
        var clock = Stopwatch.StartNew();
        while (StoredEntries.Count(ws.CacheDir) == 0)
        {
            Assert.False(process.HasExited, "the build ended before it could be interrupted");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the build made no progress");
            Thread.Sleep(50);
        }
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the build did not stop after SIGINT");
        Assert.Equal(130, process.ExitCode);

        // Unlike kill -9, the build itself rewrote its record: interrupted on disk, with an end time and what finished.
        var record = JsonNode.Parse(File.ReadAllText(Directory.EnumerateFiles(RunsDirectory(ws), "*.json").Single()))!;
        Assert.Equal("interrupted", Text(record["status"]));
        Assert.NotNull(record["ended"]);
        Assert.True(record["executed"]!.GetValue<int>() < 25);
    }

    [Fact]
    public void GcKeepsTheNewestRecordsAndDropsOldOnes()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        for (var i = 0; i < 3; i++) Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
        var before = Runs(ws).Select(r => Text(r!["id"])).ToList();
        Assert.Equal(3, before.Count);

        var gc = Support.Cli.Run(ws.Root, "cache", "gc", "--keep-runs", "2");
        Assert.Equal(0, gc.ExitCode);
        Assert.Contains("removed 1 run record", gc.Stdout);
        Assert.Equal(before.Take(2), Runs(ws).Select(r => Text(r!["id"])));

        // Gc by age drops records older than --max-age; the cache entries stay protected by --grace.
        Thread.Sleep(1100);
        Assert.Equal(0, Support.Cli.Run(ws.Root, "cache", "gc", "--max-age", "1s").ExitCode);
        Assert.Empty(Runs(ws));
        Assert.Equal(13, Json(ws, "build", "recipe.yaml", "--json")["cached"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("HEAD~9", "HEAD", "HEAD~9: only 2 runs recorded")]
    [InlineData("0123456789", "HEAD", "no run '0123456789'")]
    [InlineData("HEAD", "recipe.yaml", "is a recipe file and HEAD is not")]
    public void BadReferencesAreOneClearErrorAndExitTwo(string a, string b, string expected)
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        for (var i = 0; i < 2; i++) Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
        var result = Support.Cli.Run(ws.Root, "diff", a, b);
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void HeadWithoutRunsAndAnAmbiguousPrefixAreClearErrors()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var none = Support.Cli.Run(ws.Root, "diff", "HEAD~1", "HEAD");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("no runs recorded yet", none.Stderr);
        Assert.Contains("no runs recorded yet", Support.Cli.Run(ws.Root, "runs").Stdout);

        for (var i = 0; i < 2; i++) Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
        // Both ids start with the year.
        var ambiguous = Support.Cli.Run(ws.Root, "diff", DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), "HEAD");
        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Contains("matches 2 runs", ambiguous.Stderr);
        var otherRecipe = Support.Cli.Run(ws.Root, "diff", "HEAD", "HEAD", "--recipe", "quickstart");
        Assert.Equal(2, otherRecipe.ExitCode);
        Assert.Contains("of quickstart", otherRecipe.Stderr);
    }

    [Fact]
    public void UsageErrorsOfRunsDiffAndGcAreOneLineAndExitTwo()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Write("broken.yaml", "recipe: broken\nstages:\n  simulate:\n    solver: nosuch\n");
        var broken = Support.Cli.Run(ws.Root, "diff", "recipe.yaml", "broken.yaml");
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("the recipe was not run", broken.Stderr);
        Assert.DoesNotContain("   at ", broken.Stderr);

        var gc = Support.Cli.Run(ws.Root, "cache", "gc", "--keep-runs", "-1");
        Assert.Equal(2, gc.ExitCode);
        Assert.Contains("--keep-runs must be between 0", gc.Stderr);

        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
        var unknown = Support.Cli.Run(ws.Root, "runs", "--metric", "nope", "--json");
        Assert.Equal(0, unknown.ExitCode);
        Assert.Contains("warning: no listed run has a metric 'nope'; known: dataset.rows", unknown.Stderr);
        Assert.Equal(["dataset.rows"], JsonNode.Parse(Support.Cli.Run(ws.Root, "runs", "--metric", "rows", "--json").LastLine)!["metrics"]!.AsArray().Select(Text));
    }

    [Fact]
    public void ABuildWithAFailingNodeRecordsFailed()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, command: "exit 3");
        Assert.Equal(1, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--keep-going").ExitCode);
        var run = Assert.Single(Runs(ws))!;
        Assert.Equal("failed", Text(run["status"]));
        Assert.Equal(6, run["failed"]!.GetValue<int>());
        var record = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(RunsDirectory(ws)).Single()))!;
        Assert.Equal(6, record["node_list"]!.AsArray().Count(n => Text(n!["status"]) == "failed"));
        Assert.NotNull(record["ended"]);
    }

    [Fact]
    public void AnInvalidRecipeLeavesNoRecord()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(2, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--set", "stages.simulate.nope=1").ExitCode);
        Assert.False(Directory.Exists(RunsDirectory(ws)));
    }

    [Fact]
    public void TwoRecipeFilesDiffTheirPlansWithoutBuilding()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        File.WriteAllText(ws.Path_("other.yaml"), File.ReadAllText(ws.Path_("recipe.yaml")).Replace("cat input.txt > out.txt", "cat input.txt input.txt > out.txt", StringComparison.Ordinal));
        var diff = Json(ws, "diff", "recipe.yaml", "other.yaml", "--json");
        var parameter = Assert.Single(diff["parameters"]!.AsArray())!;
        Assert.Equal("stages.simulate.command", Text(parameter["path"]));
        Assert.Empty(diff["metrics"]!.AsArray());
        var nodes = diff["nodes"]!.AsArray();
        // The six simulate nodes for their setting, the dataset because its inputs will differ; render is untouched.
        Assert.Equal(7, nodes.Count);
        Assert.All(nodes.Where(n => Text(n!["stage"]) == "simulate"),
            n => Assert.StartsWith("setting command changed", Text(n!["reasons"]![0])));
        Assert.StartsWith("upstream simulate/", Text(nodes.Single(n => Text(n!["stage"]) == "dataset")!["reasons"]![0]));
        Assert.False(Directory.Exists(RunsDirectory(ws)));
        Assert.False(Directory.Exists(ws.OutDir));

        var same = Json(ws, "diff", "recipe.yaml", "recipe.yaml", "--json");
        Assert.Empty(same["parameters"]!.AsArray());
        Assert.Empty(same["nodes"]!.AsArray());
    }
}
