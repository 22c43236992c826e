using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Plugins;
using Recipes.Tests.Support;

namespace Recipes.Tests.Targets;

/// <summary>
/// Named training targets (targets:): several per recipe beside stages.train, sweeps of their settings, chains, and
/// your own training command as the trainer. The trainer here is a short shell script (fit.sh) so that every case
/// runs in a second; the PyTorch example recipe is built in <see cref="PyTorchTargetTests"/>.
/// </summary>
public sealed class TrainingTargetsTests
{
    /// <summary>A "trainer" that records what it saw (the dataset's rows, its params, the model it was given) and reports metrics.</summary>
    internal const string FitScript = """
        #!/bin/sh
        set -e
        rows=$(($(wc -l < "$RECIPES_DATASET/shard-0000.csv") - 1))
        echo "lr=$RECIPES_PARAM_LR width=${RECIPES_PARAM_WIDTH:-1} rows=$rows seed=$RECIPES_SEED" > "$RECIPES_OUTPUT/model.txt"
        if [ -f "$RECIPES_MODEL/model.txt" ]; then echo "upstream: $(head -n 1 "$RECIPES_MODEL/model.txt")" >> "$RECIPES_OUTPUT/model.txt"; fi
        printf '{"loss": %s, "rows": %s}\n' "$RECIPES_PARAM_LR" "$rows" > "$RECIPES_OUTPUT/metrics.json"
        """;

    internal static void Recipe(Workspace ws, string targets, string extra = "")
    {
        ws.Write("fit.sh", FitScript);
        ws.Write("recipe.yaml", $$"""
            recipe: tt
            seed: 3
            parameters:
              sampler: grid
              space:
                x: { choice: [1, 2, 3] }
            stages:
              simulate: { solver: exec, command: 'echo "{\"y\": $RECIPES_PARAM_X}" > result.json', outputs: [result.json] }
              dataset: { format: csv, result: result.json }
            {{extra}}
            targets:
            {{targets}}
            """);
    }

    private const string Fit = "model: exec, command: sh fit.sh, inputs: [fit.sh]";

    private static string Out(Workspace ws, string relative) => Path.Combine(ws.OutDir, "tt", relative);

    private static List<string> Ran(BuildResult result) =>
        [.. result.Graph.Nodes.Where(n => result.States.Status[n.Index] == NodeStatus.Executed && n.StageName is StageNames.Train or StageNames.Evaluate).Select(n => n.Id).Order(StringComparer.Ordinal)];

    [Fact]
    public void NamedTargetsTrainBesideTheUnnamedOneEachInItsOwnFolder()
    {
        using var ws = new Workspace();
        Recipe(ws, $$"""
              small:
                train: { {{Fit}}, params: { lr: 0.1 } }
              large:
                train: { {{Fit}}, params: { lr: 0.2, width: 4 } }
                evaluate: { evaluator: exec, command: 'cp model/model.txt output/seen.txt && echo "{\"score\": 7}" > output/metrics.json' }
            """, extra: $$"""
              train: { {{Fit}}, params: { lr: 0.5 } }
            """);
        var result = ws.Build();
        BuildAssert.NoFailures(result);
        Assert.Equal(["evaluate/large", "train", "train/large", "train/small"], Ran(result));
        Assert.StartsWith("lr=0.5 width=1 rows=3", File.ReadAllText(Out(ws, "train/model.txt")));
        Assert.StartsWith("lr=0.1 width=1 rows=3", File.ReadAllText(Out(ws, "targets/small/train/model.txt")));
        Assert.StartsWith("lr=0.2 width=4 rows=3", File.ReadAllText(Out(ws, "targets/large/train/model.txt")));
        // The evaluator saw the large target's model, not another's.
        Assert.StartsWith("lr=0.2 width=4", File.ReadAllText(Out(ws, "targets/large/evaluate/seen.txt")));
        Assert.Equal(0, ws.Build().Summary.Executed);
    }

    [Fact]
    public void ASweepTrainsOnePointPerCombinationAndAddingAValueTrainsOnlyTheNewPoints()
    {
        using var ws = new Workspace();
        string Sweep(string lrs) => $$"""
              grid:
                train: { {{Fit}}, params: { lr: 0.1, width: 1 } }
                sweep: { params.lr: [{{lrs}}], params.width: [1, 2] }
                metric: train.loss
            """;
        Recipe(ws, Sweep("0.1, 0.2"));
        var first = ws.Build();
        BuildAssert.NoFailures(first);
        Assert.Equal(["train/grid@params.lr=0.1,params.width=1", "train/grid@params.lr=0.1,params.width=2",
            "train/grid@params.lr=0.2,params.width=1", "train/grid@params.lr=0.2,params.width=2"], Ran(first));
        Assert.StartsWith("lr=0.2 width=2", File.ReadAllText(Out(ws, "targets/grid@params.lr=0.2,params.width=2/train/model.txt")));

        Recipe(ws, Sweep("0.1, 0.2, 3e-1"));
        var grown = ws.Build();
        BuildAssert.NoFailures(grown);
        // The new value's points only; each point's key is its own settings, not its position in the grid.
        Assert.Equal(["train/grid@params.lr=0.3,params.width=1", "train/grid@params.lr=0.3,params.width=2"], Ran(grown));

        Recipe(ws, Sweep("0.2, 0.3"));
        Assert.Empty(Ran(ws.Build()));
    }

    [Fact]
    public void AChainedTargetTrainsOnTheOneItNeedsAndChangingItRerunsOnlyItself()
    {
        using var ws = new Workspace();
        string Chain(string lr) => $$"""
              encoder:
                train: { {{Fit}}, params: { lr: 0.5 } }
              head:
                needs: encoder
                train: { {{Fit}}, params: { lr: {{lr}} } }
            """;
        Recipe(ws, Chain("0.1"));
        var first = ws.Build();
        BuildAssert.NoFailures(first);
        Assert.Equal(["train/encoder", "train/head"], Ran(first));
        Assert.Contains("upstream: lr=0.5", File.ReadAllText(Out(ws, "targets/head/train/model.txt")));
        var head = first.Graph.Find("train/head")!;
        Assert.Contains(head.Dependencies, d => d.Id == "train/encoder");

        Recipe(ws, Chain("0.2"));
        var changed = ws.Build();
        Assert.Equal(["train/head"], Ran(changed));
        Assert.Equal(NodeStatus.Cached, changed.States.Status[changed.Graph.Find("train/encoder")!.Index]);
    }

    [Fact]
    public void TheScriptIsPartOfTheKeyByContent()
    {
        using var ws = new Workspace();
        Recipe(ws, $$"""
              small:
                train: { {{Fit}}, params: { lr: 0.1 } }
            """);
        BuildAssert.NoFailures(ws.Build());
        File.AppendAllText(ws.Path_("fit.sh"), "\necho changed >> \"$RECIPES_OUTPUT/model.txt\"\n");
        var again = ws.Build();
        Assert.Equal(["train/small"], Ran(again));
        Assert.EndsWith("changed\n", File.ReadAllText(Out(ws, "targets/small/train/model.txt")));
    }

    [Fact]
    public void MetricsOfTargetsAreNamedByNodeInRunRecords()
    {
        using var ws = new Workspace();
        Recipe(ws, $$"""
              small:
                train: { {{Fit}}, params: { lr: 0.25 } }
            """);
        var run = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", ws.CacheDir, "--out", ws.OutDir, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var record = JsonNode.Parse(File.ReadAllText(Directory.EnumerateFiles(Path.Combine(ws.CacheDir, "runs"), "*.json").Single()))!;
        Assert.Equal(0.25, record["metrics"]!["train/small.loss"]!.GetValue<double>());
        Assert.Equal("small", record["targets"]![0]!["name"]!.GetValue<string>());

        var runs = Support.Cli.Run(ws.Root, "runs", "--cache", ws.CacheDir, "--metric", "loss");
        Assert.Contains("train/small.loss", runs.Stdout);
        Assert.Contains("0.25", runs.Stdout);
    }

    [Fact]
    public void TwoTargetsWithTheSameSettingsAreOneActionTrainedOnce()
    {
        using var ws = new Workspace();
        // Built with two jobs, so without the shared key both would train side by side.
        Recipe(ws, $$"""
              first:
                train: { {{Fit}}, params: { lr: 0.1 } }
              twin:
                train: { {{Fit}}, params: { lr: 0.1 } }
            """);
        var result = ws.Build();
        BuildAssert.NoFailures(result);
        var statuses = new[] { "train/first", "train/twin" }.Select(id => result.States.Status[result.Graph.Find(id)!.Index]).Order().ToArray();
        Assert.Equal([NodeStatus.Cached, NodeStatus.Executed], statuses);
        Assert.Equal(File.ReadAllText(Out(ws, "targets/first/train/model.txt")), File.ReadAllText(Out(ws, "targets/twin/train/model.txt")));
    }

    [Fact]
    public void StatusGraphAndDiffNameTheTargetThatChanged()
    {
        using var ws = new Workspace();
        string Targets(string lr) => $$"""
              small:
                train: { {{Fit}}, params: { lr: 0.1 } }
              large:
                train: { {{Fit}}, params: { lr: {{lr}} } }
            """;
        Recipe(ws, Targets("0.2"));
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", ws.CacheDir, "--out", ws.OutDir).ExitCode);
        Recipe(ws, Targets("0.3"));

        var graph = Support.Cli.Run(ws.Root, "graph", "recipe.yaml");
        Assert.Contains("train/small (exec)", graph.Stdout);
        Assert.Contains("train/large (exec)", graph.Stdout);
        var status = Support.Cli.Run(ws.Root, "status", "recipe.yaml", "--cache", ws.CacheDir);
        Assert.Contains("train/large: ", status.Stdout);
        Assert.Contains("setting params changed ({\"lr\":0.2} -> {\"lr\":0.3})", status.Stdout);
        Assert.DoesNotContain("train/small", status.Stdout);
        // The node's seed derives from its settings: it changed too, but as an echo of the setting, so it goes unnamed.
        Assert.DoesNotContain("seed changed", status.Stdout);

        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", ws.CacheDir, "--out", ws.OutDir).ExitCode);
        var diff = Support.Cli.Run(ws.Root, "diff", "HEAD~1", "HEAD", "--cache", ws.CacheDir);
        Assert.True(diff.ExitCode == 0, diff.Stderr);
        Assert.Contains("targets.large.train.params.lr", diff.Stdout);
        Assert.Contains("train/large.loss", diff.Stdout);
        Assert.Contains("train/large (changed)", diff.Stdout);
        Assert.DoesNotContain("train/small.loss", diff.Stdout);
    }

    [Fact]
    public void BuildTargetBuildsThatTargetAloneAndLeavesTheOthersInPlace()
    {
        using var ws = new Workspace();
        Recipe(ws, $$"""
              small:
                train: { {{Fit}}, params: { lr: 0.05 } }
              sweep:
                train: { {{Fit}}, params: { lr: 0.1 } }
                sweep: { params.lr: [0.1, 0.2] }
            """);
        var only = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", ws.CacheDir, "--out", ws.OutDir, "--json", "--target", "small");
        Assert.True(only.ExitCode == 0, only.Stderr);
        var summary = JsonNode.Parse(only.LastLine)!;
        Assert.Equal(1, summary["stages"]!["train"]!["executed"]!.GetValue<int>());
        Assert.False(Directory.Exists(Out(ws, "targets/sweep@params.lr=0.1")));

        var point = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", ws.CacheDir, "--out", ws.OutDir, "--json", "--target", "sweep@params.lr=0.2");
        Assert.True(point.ExitCode == 0, point.Stderr);
        Assert.Equal(1, JsonNode.Parse(point.LastLine)!["stages"]!["train"]!["executed"]!.GetValue<int>());
        // What the first build made is still in out/: building one target does not take another's results away.
        Assert.True(File.Exists(Out(ws, "targets/small/train/model.txt")));
        Assert.True(File.Exists(Out(ws, "targets/sweep@params.lr=0.2/train/model.txt")));

        var status = Support.Cli.Run(ws.Root, "status", "recipe.yaml", "--cache", ws.CacheDir);
        Assert.Contains("train/sweep@params.lr=0.1", status.Stdout);
        Assert.DoesNotContain("train/small", status.Stdout);
    }

    [Fact]
    public void ComparisonTableMarksTheBestPointAndTheChartIsDrawn()
    {
        using var ws = new Workspace();
        Recipe(ws, $$"""
              sweep:
                train: { {{Fit}}, params: { lr: 0.1 } }
                sweep: { params.lr: [0.3, 0.01, 0.2] }
                metric: train.loss
            """);
        BuildAssert.NoFailures(ws.Build());
        var table = Support.Cli.Run(ws.Root, "runs", "--targets", "recipe.yaml", "--cache", ws.CacheDir, "--plot", ws.Path_("sweep.png"));
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("best of sweep by train.loss: sweep@params.lr=0.01", table.Stdout);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(ws.Path_("sweep.png")).Take(4));

        var json = JsonNode.Parse(Support.Cli.Run(ws.Root, "runs", "--targets", "recipe.yaml", "--cache", ws.CacheDir, "--json").LastLine)!;
        var target = json["targets"]![0]!;
        Assert.Equal("sweep@params.lr=0.01", target["best"]!.GetValue<string>());
        Assert.Equal(3, target["points"]!.AsArray().Count);

        var report = Support.Cli.Run(ws.Root, "report", "recipe.yaml", "--cache", ws.CacheDir, "--out", ws.OutDir, "-o", ws.Path_("report.html"));
        Assert.True(report.ExitCode == 0, report.Stderr);
        var html = File.ReadAllText(ws.Path_("report.html"));
        Assert.Contains("Training targets", html);
        Assert.Contains("<tr class=\"best\"><td>sweep@params.lr=0.01 ★", html);
        Assert.Contains("sweep: train.loss against params.lr", html);
    }

    [Fact]
    public void ARecipeInAnotherFolderIncludesAShippedOneAndAddsATargetWithItsOwnScript()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("quickstart");
        ws.Write("more/fit.sh", """
            #!/bin/sh
            wc -l < "$RECIPES_DATASET/shard-0000.csv" > "$RECIPES_OUTPUT/rows.txt"
            """);
        ws.Write("more/recipe.yaml", """
            include: ../recipe.yaml
            recipe: quickstart-more
            targets:
              rows:
                train: { model: exec, command: sh fit.sh, inputs: [fit.sh] }
            """);
        var result = ws.Build("more/recipe.yaml");
        BuildAssert.NoFailures(result);
        // 18 samples and a header: base_case.dir resolved beside the included recipe, fit.sh beside the including one.
        Assert.Equal("19", File.ReadAllText(Path.Combine(ws.OutDir, "quickstart-more", "targets", "rows", "train", "rows.txt")).Trim());
    }

    private static string Invalid(Workspace ws)
    {
        var error = Assert.Throws<RecipeException>(() => ws.Load());
        return string.Join("\n", error.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void ASweepOfASettingTheModelLacksIsOneLineWithItsPositionAndASuggestion()
    {
        using var ws = new Workspace();
        ws.Write("recipe.yaml", """
            recipe: bad
            parameters: { space: { x: [1, 2] } }
            stages:
              simulate: { solver: exec, command: 'echo "{}" > result.json', outputs: [result.json] }
              dataset: { format: csv }
            targets:
              wide:
                train: { model: exec, command: 'true' }
                sweep:
                  param.lr: [1, 2]
                  timeuot: [1, 2]
            """);
        var message = Invalid(ws);
        Assert.Contains("recipe.yaml:11:7: error: targets.wide.sweep.timeuot: the model 'exec' has no setting 'timeuot'; did you mean 'timeout'?", message);
        Assert.Contains("recipe.yaml:10:7: error: targets.wide.sweep.param.lr: the model 'exec' has no setting 'param'; did you mean 'params'?", message);
    }

    [Fact]
    public void NeedsThatFormACycleOrNameNoTargetAreErrorsAtTheirNeeds()
    {
        using var ws = new Workspace();
        Recipe(ws, $$"""
              a:
                needs: b
                train: { {{Fit}} }
              b:
                needs: a
                train: { {{Fit}} }
              c:
                needs: nope
                train: { {{Fit}} }
            """);
        var message = Invalid(ws);
        Assert.Contains("targets form a cycle: a -> b -> a", message);
        Assert.Contains("targets.c.needs: no target 'nope'", message);
        Assert.Matches(@"recipe\.yaml:\d+:\d+: error: targets form a cycle", message);
    }

    [Fact]
    public void NeedingASweptTargetAndAMissingScriptAreRecipeErrors()
    {
        using var ws = new Workspace();
        Recipe(ws, $$"""
              grid:
                train: { {{Fit}} }
                sweep: { params.lr: [1, 2] }
              head:
                needs: grid
                train: { model: exec, command: python3 train.py, inputs: [train.py] }
            """);
        Assert.Contains("targets.head.needs: 'grid' is swept (2 points)", Invalid(ws));

        Recipe(ws, """
              head:
                train: { model: exec, command: python3 train.py, inputs: [train.py] }
            """);
        var missing = Assert.Throws<RecipeException>(() => Recipes.Graph.GraphPlanner.Plan(ws.Load()));
        Assert.Contains("inputs: 'train.py' matches no file", missing.Diagnostics.Single().Message);
        Assert.Contains("recipe.yaml", missing.Diagnostics.Single().Location.File);
    }

    [Fact]
    public void UnknownTargetOnTheCommandLineIsExitTwoWithTheRecipesTargets()
    {
        using var ws = new Workspace();
        Recipe(ws, $$"""
              small:
                train: { {{Fit}} }
            """);
        var run = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", ws.CacheDir, "--target", "smal");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--target smal: tt has no target 'smal'; did you mean 'small'?; its targets: small", run.Stderr);
        Assert.True(StoredEntries.Count(ws.CacheDir) == 0, "nothing is built or cached for a wrong --target");
    }

    private static string FailureOf(BuildResult result, string node)
    {
        var found = result.Graph.Find(node)!;
        Assert.Equal(NodeStatus.Failed, result.States.Status[found.Index]);
        return result.States.Messages[found.Index]!;
    }

    [Theory]
    [InlineData("exit 3", "command exited with code 3: exit 3")]
    [InlineData("echo '{\"loss\": NaN}' > output/metrics.json", "output/metrics.json is not valid JSON")]
    [InlineData("echo '[1, 2]' > output/metrics.json", "output/metrics.json holds array; write one JSON object")]
    [InlineData("echo '{\"loss\": 1e999}' > output/metrics.json", "output/metrics.json: 'loss' holds 1e999, not a finite number")]
    public void AFailingOrMalformedTrainerFailsItsNodeAndCachesNothing(string command, string expected)
    {
        using var ws = new Workspace();
        Recipe(ws, $$"""
              bad:
                train: { model: exec, command: '{{command.Replace("'", "''")}}' }
            """);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var result = ws.Build();
            Assert.Contains(expected, FailureOf(result, "train/bad"));
            Assert.False(Directory.Exists(Out(ws, "targets/bad")));
        }
    }

    [Fact]
    public void ATrainerPastItsTimeoutIsKilled()
    {
        using var ws = new Workspace();
        Recipe(ws, """
              slow:
                train: { model: exec, command: sleep 30, timeout: 0.5 }
            """);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Contains("timed out after 0.5 s", FailureOf(ws.Build(), "train/slow"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void AGpuDeclaringTrainerHoldsAGpuSlot()
    {
        using var ws = new Workspace();
        Recipe(ws, $$"""
              gpu:
                train: { {{Fit}}, gpus: 1 }
            """);
        var graph = Recipes.Graph.GraphPlanner.Plan(ws.Load());
        Assert.Equal(1, graph.Find("train/gpu")!.Resources.Gpus);
    }
}
