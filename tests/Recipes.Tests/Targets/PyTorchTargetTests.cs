using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Targets;

/// <summary>
/// recipes/heat-diffusion/pytorch.yaml at CI size: a researcher's own PyTorch trainer and evaluator (Debian's
/// python3-torch) as the nodes of a named target, built alone with --target, their weights loaded back in PyTorch,
/// their metrics in runs and the report.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PyTorchTargetTests
{
    private static readonly string[] CiSize =
    [
        "--set", "parameters.samples=12", "--set", "base_case.params.size=16", "--set", "stages.dataset.shard=4",
        "--set", "stages.simulate.radius=0.12", "--set", "targets.torch-cnn.train.params.epochs=30",
    ];

    [PythonTorchFact]
    public void TheScriptTrainsAModelThatLoadsBackAndItsMetricsReachRunsAndTheReport()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("heat-diffusion");
        var environment = new Dictionary<string, string> { ["RECIPES_PYTHON"] = PythonNumpy.WithTorch! };
        string[] build = ["build", "pytorch.yaml", "--cache", ws.CacheDir, "--out", ws.OutDir, "--json", "--target", "torch-cnn", .. CiSize];
        var run = Support.Cli.Run(ws.Root, environment, build);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var summary = JsonNode.Parse(run.LastLine)!;
        Assert.Equal(1, summary["stages"]!["train"]!["executed"]!.GetValue<int>());
        Assert.Equal(1, summary["stages"]!["evaluate"]!["executed"]!.GetValue<int>());

        var target = Path.Combine(ws.OutDir, "heat-diffusion-pytorch", "targets", "torch-cnn");
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(target, "evaluate", "metrics.json")))!;
        var mae = metrics["mae"]!.GetValue<double>();
        // The model learned something: better than predicting the mean field of the training targets.
        Assert.True(mae < metrics["baseline_mean_field_mae"]!.GetValue<double>(), metrics.ToJsonString());

        // The weights load back in PyTorch and give the evaluator's figure again.
        var check = PythonNumpy.RunWith(PythonNumpy.WithTorch!, """
            import json, sys, torch
            sys.path.insert(0, sys.argv[1])
            from heatnet import HeatNet, load_split
            model = HeatNet(json.load(open(sys.argv[2] + "/model.json"))["width"])
            model.load_state_dict(torch.load(sys.argv[2] + "/model.pt"))
            model.eval()
            inputs, targets = load_split(sys.argv[3], "test")
            with torch.no_grad():
                predicted = model(torch.from_numpy(inputs).unsqueeze(1)).squeeze(1).numpy()
            print(float(abs(predicted - targets).mean()))
            """, Path.Combine(ws.Root, "torchnet"), Path.Combine(target, "train"), Path.Combine(ws.OutDir, "heat-diffusion-pytorch", "dataset"));
        Assert.Equal(mae, double.Parse(check.Trim(), System.Globalization.CultureInfo.InvariantCulture), 6);

        var runs = Support.Cli.Run(ws.Root, "runs", "--cache", ws.CacheDir, "--metric", "mae");
        Assert.Contains("evaluate/torch-cnn.mae", runs.Stdout);
        string[] reportArgs = ["report", "pytorch.yaml", "--cache", ws.CacheDir, "--out", ws.OutDir, "-o", ws.Path_("report.html"), .. CiSize];
        var report = Support.Cli.Run(ws.Root, environment, reportArgs);
        Assert.True(report.ExitCode == 0, report.Stderr);
        var html = File.ReadAllText(ws.Path_("report.html"));
        Assert.Contains("torch-cnn", html);
        Assert.Contains("evaluate.mae", html);

        // A second build reruns nothing: the scripts, the settings and the dataset are the key.
        var again = Support.Cli.Run(ws.Root, environment, build);
        Assert.Equal(0, JsonNode.Parse(again.LastLine)!["executed"]!.GetValue<int>());
    }
}
