using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Runs;
using Recipes.Tests.Support;

namespace Recipes.Tests.Lineage;

/// <summary>
/// <c>recipes why</c> through the built tool: a CSV row, a Learning-to-Simulate trajectory, a materialized picture and
/// a model traced back to their sources; a template traced forward; every bad input one line and exit 2.
/// </summary>
public sealed class WhyCommandTests
{
    private static JsonObject Json(Support.Cli.Result result)
    {
        Assert.True(result.ExitCode == 0, result.Stderr);
        return JsonNode.Parse(result.LastLine)!.AsObject();
    }

    private static List<JsonObject> Chain(JsonObject why) => why["chain"]!.AsArray().OfType<JsonObject>().ToList();

    private static void Built(Workspace ws, string recipe = "recipe.yaml")
    {
        var build = Support.Cli.Run(ws.Root, "build", recipe);
        Assert.True(build.ExitCode == 0, build.Stderr);
    }

    [Fact]
    public void ACsvRowLeadsToItsSampleTheTemplateItRenderedAndTheRunThatMadeIt()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Built(ws);
        var why = Json(Support.Cli.Run(ws.Root, "why", "out/sweep/dataset/shard-0000.csv#4", "--json"));
        var sample = why["item"]!["sample"]!.GetValue<string>();
        Assert.Equal("row 4", why["item"]!["is"]!.GetValue<string>());
        Assert.False(why["edited"]!.GetValue<bool>());
        // The row's first cell is the sample it came from; its parameters are in the answer.
        var row = File.ReadAllLines(Path.Combine(ws.OutDir, "sweep", "dataset", "shard-0000.csv"))[5];
        Assert.StartsWith(sample + ",", row, StringComparison.Ordinal);
        Assert.NotNull(why["sample"]!["parameters"]!["a"]);

        var chain = Chain(why);
        Assert.Equal(["dataset/shard-0000", $"simulate/{sample}", $"render/{sample}"], chain.Select(n => n["node"]!.GetValue<string>()));
        // Only the row's own sample feeds it: no other sample's outputs are listed as its inputs.
        Assert.All(chain[0]["inputs"]!.AsArray(), i => Assert.Equal($"simulate/{sample}", i!["from"]!.GetValue<string>()));
        var template = chain[2]["inputs"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == "file:input.txt.sbn")!;
        Assert.Equal("base/input.txt.sbn", template["source"]!.GetValue<string>());
        Assert.Equal("input.txt", template["rendered"]!["name"]!.GetValue<string>());
        var head = new RunStore(ws.CacheDir).Resolve("HEAD");
        Assert.All(chain, n =>
        {
            Assert.Equal(head.Id, n["run"]!["id"]!.GetValue<string>());
            Assert.True(n["run"]!["executed"]!.GetValue<bool>());
            Assert.Equal(head.NodeList.Single(r => r.Id == n["node"]!.GetValue<string>()).Key, n["key"]!.GetValue<string>());
        });

        var text = Support.Cli.Run(ws.Root, "why", "out/sweep/dataset/shard-0000.csv#4");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"(row 4, sample {sample})", text.Stdout);
        Assert.Contains("-> input.txt", text.Stdout);
    }

    [Fact]
    public void DownstreamOfATemplateIsEveryNodeThatWouldRebuild()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Built(ws);
        var down = Json(Support.Cli.Run(ws.Root, "why", "--downstream", "base/input.txt.sbn", "--json"));
        // 6 samples: each render reads the template, each simulate follows, and the one dataset shard gathers them.
        Assert.Equal(13, down["nodes"]!.GetValue<int>());
        Assert.Equal(6, down["stages"]!["render"]!.GetValue<int>());
        Assert.Equal(1, down["stages"]!["dataset"]!.GetValue<int>());
        var dataset = down["downstream"]!.AsArray().Single(n => n!["node"]!.GetValue<string>() == "dataset/shard-0000")!;
        Assert.Equal("dataset/shard-0000.csv", dataset["outputs"]![0]!.GetValue<string>());
        Assert.Equal(6, down["downstream"]!.AsArray().Count(n => n!["reads_it"]!.GetValue<bool>()));
    }

    [Fact]
    public void BadInputIsOneLineAndExitTwo()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Write("out/sweep/early.txt", "before any build\n");
        AssertBad(Support.Cli.Run(ws.Root, "why", "out/sweep/early.txt"), "no cache at");
        Built(ws);
        ws.Write("out/sweep/notes.txt", "mine\n");
        AssertBad(Support.Cli.Run(ws.Root, "why", "recipe.yaml"), "is not under");
        AssertBad(Support.Cli.Run(ws.Root, "why", "out/sweep/notes.txt"), "was not made by the build of sweep");
        AssertBad(Support.Cli.Run(ws.Root, "why", "out/sweep/dataset/shard-0000.csv#99"), "there is no row 99; the file holds 6 rows (0 to 5)");
        AssertBad(Support.Cli.Run(ws.Root, "why", "out/sweep/missing.csv"), "does not exist");
        AssertBad(Support.Cli.Run(ws.Root, "why", "--downstream", "recipe.yaml"), "is not an input of any node of sweep");

        // Edited by hand: reported as such, the recorded hash beside the current one.
        var result = Path.Combine(ws.OutDir, "sweep", "samples", "000000", "simulate", "result.json");
        File.WriteAllText(result, "{\"value\": 1}\n");
        var edited = Json(Support.Cli.Run(ws.Root, "why", "out/sweep/samples/000000/simulate/result.json", "--json"));
        Assert.True(edited["edited"]!.GetValue<bool>());
        Assert.NotEqual(edited["hash"]!.GetValue<string>(), edited["current_hash"]!.GetValue<string>());
        var text = Support.Cli.Run(ws.Root, "why", "out/sweep/samples/000000/simulate/result.json");
        Assert.Contains($"EDITED by hand: the build wrote {edited["hash"]!.GetValue<string>()}, the file now hashes {edited["current_hash"]!.GetValue<string>()}", text.Stdout);
    }

    private static void AssertBad(Support.Cli.Result result, string expected)
    {
        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.Stderr);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void ATrajectoryOfALearningToSimulateNpzLeadsToItsSimulation()
    {
        using var ws = Workspace.CopyingCache(SharedCaches.DamBreakTiny);
        SharedCaches.WithDamBreakTiny(ws);
        BuildAssert.NoFailures(ws.BuildThrough(StageNames.Dataset, SharedCaches.DamBreakTinyRecipe));
        var npz = Path.Combine("out", SharedCaches.DamBreakTinyName, "dataset", "train.npz");
        string[] where = ["--recipe", SharedCaches.DamBreakTinyRecipe, "--cache", ws.CacheDir];
        var why = Json(Support.Cli.Run(ws.Root, ["why", npz + "#1", .. where, "--json"]));
        var sample = why["item"]!["sample"]!.GetValue<string>();
        Assert.StartsWith("trajectory 1 (trajectory_" + sample + ")", why["item"]!["is"]!.GetValue<string>(), StringComparison.Ordinal);
        var chain = Chain(why);
        Assert.Contains(chain, n => n["node"]!.GetValue<string>() == $"simulate/{sample}");
        // Built in-process, so no run record: the answer says so rather than inventing one.
        Assert.All(chain, n => Assert.Null(n["run"]));

        var trajectories = why["item"] is not null ? System.IO.Compression.ZipFile.OpenRead(Path.Combine(ws.Root, npz)).Entries.Count : 0;
        AssertBad(Support.Cli.Run(ws.Root, ["why", npz + "#99", .. where]), $"there is no trajectory 99; the file holds {trajectories} trajector");
    }

    [Fact]
    [Trait("Category", "Training")]
    public void APictureAndAModelLeadBackToTheirSimulations()
    {
        using var ws = new Workspace();
        ws.Write(".recipes.json", "{}\n");
        Diffusion.TinyDiffusionTests.Recipe(ws, Diffusion.TinyDiffusionTests.Autoencoder);
        Built(ws);
        var picture = Directory.EnumerateFiles(Path.Combine(ws.OutDir, "tiny-smoke", "dataset", "train"), "*.png").Order(StringComparer.Ordinal).First();
        var id = Path.GetFileNameWithoutExtension(picture);
        var why = Json(Support.Cli.Run(ws.Root, "why", Path.GetRelativePath(ws.Root, picture), "--json"));
        Assert.Equal(id, why["sample"]!["id"]!.GetValue<string>());
        Assert.Equal(["dataset/shard-0000", $"simulate/{id}"], Chain(why).Select(n => n["node"]!.GetValue<string>()));
        Assert.NotNull(why["sample"]!["parameters"]!["wind_x"]);

        var model = Json(Support.Cli.Run(ws.Root, "why", "out/tiny-smoke/train/vae.safetensors", "--json"));
        var chain = Chain(model);
        Assert.Equal("train", chain[0]["node"]!.GetValue<string>());
        Assert.Equal("vae", chain[0]["implementation"]!.GetValue<string>());
        // Every simulation is upstream of the model: 12 samples, the dataset, the train node.
        Assert.Equal(14, chain.Count);
        Assert.Equal(12, chain.Count(n => n["stage"]!.GetValue<string>() == "simulate"));
        Assert.NotNull(chain[0]["run"]!["tool_version"]);
    }
}
