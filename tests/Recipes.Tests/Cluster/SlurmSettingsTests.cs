using System.Text.Json.Nodes;
using Recipes.Cluster;
using Recipes.Plugins;
using Recipes.Tests.Support;

namespace Recipes.Tests.Cluster;

/// <summary>What the Slurm executor asks of sbatch, without a cluster: packing, directives, settings precedence.</summary>
public sealed class SlurmSettingsTests
{
    private static ValueMap Map(string json) => new(JsonNode.Parse(json)!.AsObject());

    [Fact]
    public void ShortNodesArePackedUpToTheTargetDurationAndLongOnesGoAlone()
    {
        var items = Enumerable.Range(0, 10).ToList();
        Assert.Equal([3, 3, 3, 1], SlurmExecutor.Pack(items, secondsEach: 1, target: 3).Select(t => t.Count));
        Assert.Equal(items, SlurmExecutor.Pack(items, secondsEach: 1, target: 3).SelectMany(t => t));
        Assert.All(SlurmExecutor.Pack(items, secondsEach: 600, target: 60), t => Assert.Single(t));
        Assert.Equal(10, SlurmExecutor.Pack(Enumerable.Range(0, 10_000).ToList(), secondsEach: 1, target: 1000).Count);
    }

    [Fact]
    public void AShortSweepStillSpreadsOverTheIdleCpus()
    {
        // 200 nodes of 0.3 s fit one 60-second task, but 8 idle CPUs should each get a share.
        var tasks = SlurmExecutor.Pack(Enumerable.Range(0, 200).ToList(), secondsEach: 0.3, target: 60, minTasks: 8);
        Assert.Equal(8, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(25, t.Count));
        // More idle CPUs than nodes: one node per task, never an empty one.
        Assert.Equal(3, SlurmExecutor.Pack([1, 2, 3], secondsEach: 0.3, target: 60, minTasks: 100).Count);
    }

    [Fact]
    public void DirectivesCarryEveryConfiguredOption()
    {
        var settings = SlurmSettings.From(null, Map("""
            {"partition": "gpu", "account": "proj1", "qos": "short", "time": "00:30:00", "mem": "8G", "gpus": 1,
             "extra": ["--constraint=avx2", "--exclusive"], "throttle": 16, "cpus": 4}
            """));
        var lines = settings.Directives(tasks: 100, threads: 2, output: "/logs/task-%a.log", name: "recipes-simulate").ToList();
        Assert.Contains("#SBATCH --array=0-99%16", lines);
        Assert.Contains("#SBATCH --partition=gpu", lines);
        Assert.Contains("#SBATCH --account=proj1", lines);
        Assert.Contains("#SBATCH --qos=short", lines);
        Assert.Contains("#SBATCH --time=00:30:00", lines);
        Assert.Contains("#SBATCH --mem=8G", lines);
        Assert.Contains("#SBATCH --gpus-per-task=1", lines);
        Assert.Contains("#SBATCH --cpus-per-task=4", lines);
        Assert.Contains("#SBATCH --constraint=avx2", lines);
        Assert.Contains("#SBATCH --exclusive", lines);
        Assert.Contains("#SBATCH --output=/logs/task-%a.log", lines);
    }

    [Fact]
    public void TheRecipeOverridesTheUserConfigKeyByKey()
    {
        var settings = SlurmSettings.From(Map("""{"partition": "cpu", "account": "site", "command": "dotnet tool run recipes"}"""), Map("""{"partition": "gpu"}"""));
        Assert.Equal("gpu", settings.Partition);
        Assert.Equal("site", settings.Account);
        Assert.Equal("dotnet tool run recipes", settings.Command);
        var lines = settings.Directives(tasks: 3, threads: 2, output: "o", name: "n").ToList();
        Assert.Contains("#SBATCH --array=0-2", lines);
        Assert.Contains("#SBATCH --cpus-per-task=2", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("#SBATCH --gpus", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutSlurmOnThePathTheSlurmExecutorSaysSoInOneLine()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        // Only dotnet on PATH: no sbatch.
        var bin = ws.Path_("bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "dotnet"), Environment.ProcessPath!);
        var result = Support.Cli.Run(ws.Root, new Dictionary<string, string> { ["PATH"] = bin }, "build", "recipe.yaml", "--executor", "slurm");
        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --executor slurm needs Slurm's sbatch", error);
        Assert.False(Directory.Exists(ws.CacheDir), "nothing may be built or cached");
    }
}
