using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Cluster;
using Recipes.Plugins;
using Recipes.Tests.Support;

namespace Recipes.Tests.Cluster;

/// <summary>
/// The Slurm executor against a real one-node Slurm (<see cref="SlurmCluster"/>): the same out/ as a local build, no
/// submission when nothing is stale, a killed task retried, a failing node reported with its log, Ctrl-C cancelling
/// exactly the build's own jobs.
/// </summary>
[Collection(SlurmCollection.Name)]
[Trait("Category", "Slow")]
public sealed class SlurmExecutorTests(SlurmCluster cluster)
{
    /// <summary>Six samples; every simulation sleeps, and the one with a=<paramref name="failing"/> exits 3.</summary>
    private static void Recipe(Workspace ws, double sleep, int failing = 0, string slurm = "")
    {
        ws.Write("base/input.txt.sbn", "a={{ a }}\n");
        var seconds = sleep.ToString(CultureInfo.InvariantCulture);
        ws.Write("recipe.yaml", $$"""
            recipe: cluster
            seed: 3
            base_case:
              dir: base/
            parameters:
              space:
                a: { int: [1, 6] }
            stages:
              simulate:
                solver: exec
                command: 'sleep {{seconds}}; if grep -q "a={{failing}}$" input.txt; then echo "no convergence" >&2; exit 3; fi; cat input.txt > out.txt; echo "{\"value\": $(wc -c < input.txt)}" > result.json'
                outputs: [out.txt, result.json]
              dataset:
                format: csv
            execution:
              slurm:
                pack_seconds: 2
                default_seconds: 1
                poll_seconds: 0.3
                {{slurm}}
            """);
    }

    private static JsonNode Summary(Support.Cli.Result result)
    {
        Assert.True(result.ExitCode is 0 or 1, $"exit {result.ExitCode}: {result.Stderr}");
        return JsonNode.Parse(result.LastLine)!;
    }

    private static Dictionary<string, string> Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    private static string[] ActionKeys(string cache) =>
        [.. StoredEntries.Keys(cache)];

    [SlurmFact]
    public void ASlurmBuildMatchesALocalOneAndASecondRunSubmitsNothing()
    {
        using var ws = new Workspace();
        Recipe(ws, sleep: 0, slurm: "throttle: 2");
        var local = Summary(Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "local-cache", "--out", "local-out", "--json"));
        Assert.Equal(13, local["executed"]!.GetValue<int>());

        var first = Support.Cli.Run(ws.Root, cluster.ClientEnvironment, "build", "recipe.yaml", "--executor", "slurm", "--cache", "slurm-cache", "--out", "slurm-out", "--json");
        var summary = Summary(first);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(13, summary["executed"]!.GetValue<int>());
        var slurm = summary["slurm"]!;
        Assert.True(slurm["jobs"]!.GetValue<int>() >= 3, "render, simulate and dataset each go out as array jobs");
        // Six one-second nodes per stage at two seconds per task: packed two to a task, not one job each.
        Assert.True(slurm["array_tasks"]!.GetValue<int>() < 13, $"{slurm["array_tasks"]} array tasks for 13 nodes: nothing was packed");

        Assert.Equal(Files(ws.Path_("local-out")), Files(ws.Path_("slurm-out")));
        Assert.Equal(ActionKeys(ws.Path_("local-cache")), ActionKeys(ws.Path_("slurm-cache")));
        var script = Directory.EnumerateFiles(Path.Combine(ws.Path_("slurm-cache"), "slurm"), "job.sh", SearchOption.AllDirectories).Select(File.ReadAllText).First(t => t.Contains("recipes-simulate", StringComparison.Ordinal));
        Assert.Matches(@"#SBATCH --array=0-\d+%2\n", script);
        Assert.Contains(" run-node ", script);

        var again = Summary(Support.Cli.Run(ws.Root, cluster.ClientEnvironment, "build", "recipe.yaml", "--executor", "slurm", "--cache", "slurm-cache", "--out", "slurm-out", "--json"));
        Assert.Equal(0, again["executed"]!.GetValue<int>());
        Assert.Equal(0, again["slurm"]!["jobs"]!.GetValue<int>());

        // Both Slurm builds are recorded in their cache, with node keys and times but no memory: the nodes ran elsewhere.
        var records = Directory.GetFiles(Path.Combine(ws.Path_("slurm-cache"), "runs"), "*.json").Select(f => JsonNode.Parse(File.ReadAllText(f))!).ToList();
        Assert.Equal(2, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal("slurm", r["executor"]!.GetValue<string>());
            Assert.Equal("completed", r["status"]!.GetValue<string>());
            Assert.All(r["node_list"]!.AsArray(), n => Assert.Null(n!["peak_rss_bytes"]));
        });
        Assert.Contains(records, r => r["node_list"]!.AsArray().All(n => n!["seconds"] is not null));
    }

    /// <summary>The adaptive sampler's rounds on Slurm: each pass's stale nodes go out as array jobs, and the rounds choose what a local build chooses.</summary>
    [SlurmFact]
    public void AnAdaptiveSweepRunsItsRoundsOnSlurmAndChoosesWhatALocalBuildChooses()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("adaptive-wall");
        File.AppendAllText(ws.Path_("recipe.yaml"), "execution:\n  slurm: { pack_seconds: 2, default_seconds: 1, poll_seconds: 0.3 }\n");
        string[] small = ["--set", "parameters.adaptive.initial=6", "--set", "parameters.adaptive.batch=3", "--set", "parameters.adaptive.rounds=2", "--set", "parameters.adaptive.pool=32"];
        var local = Summary(Support.Cli.Run(ws.Root, ["build", "recipe.yaml", "--cache", "local-cache", "--out", "local-out", "--json", .. small]));
        Assert.Equal(0, local["failed"]!.GetValue<int>());

        var onSlurm = Support.Cli.Run(ws.Root, cluster.ClientEnvironment, ["build", "recipe.yaml", "--executor", "slurm", "--cache", "slurm-cache", "--out", "slurm-out", "--json", .. small]);
        Assert.Equal(0, onSlurm.ExitCode);
        var summary = Summary(onSlurm);
        // 12 renders and simulations, 2 rounds, 1 dataset shard: each pass of the growing graph went to Slurm.
        Assert.True(summary["executed"]!.GetValue<int>() == 12 + 12 + 2 + 1, onSlurm.Stdout + onSlurm.Stderr);
        Assert.True(summary["slurm"]!["jobs"]!.GetValue<int>() >= 7, $"{summary["slurm"]!["jobs"]} array jobs: the rounds did not go out one pass at a time");
        Assert.Equal(Files(ws.Path_("local-out")), Files(ws.Path_("slurm-out")));
        Assert.Equal(ActionKeys(ws.Path_("local-cache")), ActionKeys(ws.Path_("slurm-cache")));
    }

    [SlurmFact]
    public void ATaskKilledMidRunIsResubmittedAndTheBuildFinishes()
    {
        using var ws = new Workspace();
        Recipe(ws, sleep: 1.5);
        using var build = Support.Cli.Start(ws.Root, cluster.ClientEnvironment, "build", "recipe.yaml", "--executor", "slurm", "--json");
        var pattern = $"run-node {ws.Root}/recipe.yaml simulate/";
        var clock = Stopwatch.StartNew();
        while (SlurmCluster.Run("/usr/bin/pgrep", "-f", pattern) != 0)
        {
            if (build.HasExited) Assert.Fail("the build ended before a simulation task started: " + build.StandardError.ReadToEnd());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "no simulation task started");
            Thread.Sleep(100);
        }
        Thread.Sleep(1000);
        Assert.Equal(0, SlurmCluster.Run("/usr/bin/pkill", "-9", "-f", pattern));

        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        Assert.True(build.WaitForExit(TimeSpan.FromMinutes(3)), "the build did not finish");
        Assert.True(build.ExitCode == 0, stderr.Result);
        var summary = JsonNode.Parse(stdout.Result.Trim().Split('\n').Last())!;
        Assert.True(summary["slurm"]!["resubmitted"]!.GetValue<int>() >= 1, stderr.Result);
        Assert.Equal(13, summary["executed"]!.GetValue<int>());
        Assert.Contains("resubmitting", stderr.Result);
        Assert.True(JsonNode.Parse(Support.Cli.Run(ws.Root, "cache", "verify", "--json").LastLine)!["clean"]!.GetValue<bool>());
    }

    [SlurmFact]
    public void AFailingNodeIsReportedWithItsTaskLogAndNotRetried()
    {
        using var ws = new Workspace();
        Recipe(ws, sleep: 0, failing: 4);
        var result = Support.Cli.Run(ws.Root, cluster.ClientEnvironment, "build", "recipe.yaml", "--executor", "slurm", "--keep-going", "--json");
        Assert.Equal(1, result.ExitCode);
        var summary = Summary(result);
        Assert.Equal(1, summary["failed"]!.GetValue<int>());
        Assert.Equal(0, summary["slurm"]!["resubmitted"]!.GetValue<int>());
        Assert.Contains("simulate/000003", result.Stderr);
        Assert.Contains("no convergence", result.Stderr);
        Assert.Contains("task-", result.Stderr);
    }

    [SlurmFact]
    public void InterruptingTheControllerCancelsExactlyItsOwnJobs()
    {
        var foreign = cluster.Client("/usr/bin/sbatch", "--parsable", "--job-name=someone-else", "--wrap", "sleep 300").Stdout.Trim();
        try
        {
            using var ws = new Workspace();
            Recipe(ws, sleep: 60);
            using var build = Support.Cli.Start(ws.Root, cluster.ClientEnvironment, "build", "recipe.yaml", "--executor", "slurm", "--json");
            var clock = Stopwatch.StartNew();
            while (!cluster.Queue().Any(j => j.Name == "recipes-simulate" && j.State == "RUNNING"))
            {
                if (build.HasExited) Assert.Fail("the build ended early: " + build.StandardError.ReadToEnd());
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "no simulation task started");
                Thread.Sleep(200);
            }
            Assert.Equal(0, SlurmCluster.Run("/bin/kill", "-INT", build.Id.ToString(CultureInfo.InvariantCulture)));
            Assert.True(build.WaitForExit(TimeSpan.FromSeconds(60)), "the controller did not stop after SIGINT");
            Assert.Equal(130, build.ExitCode);

            clock.Restart();
            while (cluster.Queue().Any(j => j.Name.StartsWith("recipes-", StringComparison.Ordinal)) && clock.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(200);
            var left = cluster.Queue();
            Assert.DoesNotContain(left, j => j.Name.StartsWith("recipes-", StringComparison.Ordinal));
            Assert.Contains(left, j => j.Id == foreign);
        }
        finally
        {
            cluster.Client("/usr/bin/scancel", foreign);
        }
    }
}
