using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Plotting.Plots;

namespace Recipes.Benchmarks;

/// <summary>
/// "gns-curve OUT.png DIR=LABEL ...": validation rollout MSE against training time for builds of a GNS recipe, one
/// series per workspace DIR. Each point's time is its step times the train node's seconds per step from the workspace's
/// run records (a lengthened, resumed training's parts added up; validation included, so a slight overestimate); the dashed level is the validation's
/// baseline (constant velocity with gravity on the same trajectories). With "--gain" the curve is that baseline's MSE
/// divided by the model's (how many times better than the best trivial rule), with the 5× goal as the level. Training
/// time is machine time, so it is read from the run record and never written into an artifact.
/// </summary>
public static class GnsTrainingCurve
{
    public static int Run(string[] args)
    {
        var gain = args.Contains("--gain");
        args = [.. args.Where(a => a != "--gain")];
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: gns-curve [--gain] OUT.png DIR=LABEL [DIR=LABEL ...]");
            return 2;
        }
        var chart = gain
            ? new LineChart("Validation gain over the best baseline (2 CPU cores)", "training time (min)", "baseline MSE / model MSE (×)")
            : new LineChart("Validation rollout error against training time (2 CPU cores)", "training time (min)", "rollout MSE (m²)", logY: true);
        double? baseline = null;
        foreach (var spec in args[1..])
        {
            var (dir, label) = spec.Split('=', 2) is [var d, var l] ? (d, l) : (spec, Path.GetFileName(spec));
            var validationPath = Directory.EnumerateFiles(Path.Combine(dir, "out"), "validation.json", SearchOption.AllDirectories).Single();
            var validation = JsonNode.Parse(File.ReadAllText(validationPath))!;
            var points = validation["points"]!.AsArray().Select(p => (Step: p!["step"]!.GetValue<int>(), Mse: p["rollout_mse"]!.GetValue<double>())).ToList();
            var seconds = TrainSeconds(dir);
            var perStep = seconds / points[^1].Step;
            var level = validation["baseline_rollout_mse"]!.GetValue<double>();
            chart.Add(label, points.Select(p => (p.Step * perStep / 60, gain ? level / p.Mse : p.Mse)));
            baseline ??= level;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label}: {points[^1].Step} steps in {seconds:0} s ({perStep * 1000:0.0} ms/step); best {points.Min(p => p.Mse):0.0000} m² at step {points.MinBy(p => p.Mse).Step}, last {points[^1].Mse:0.0000} m²"));
        }
        if (gain) chart.Level("goal: 5× below the baseline", 5);
        else chart.Level("constant velocity + gravity", baseline!.Value);
        chart.SavePng(args[0]);
        Console.WriteLine($"wrote {args[0]}");
        return 0;
    }

    /// <summary>
    /// The seconds every run in the workspace spent in its train node, added up: a training that was lengthened and
    /// resumed (16,000 steps, then 32,000) took the sum of its parts. A workspace should therefore hold one model's
    /// training only.
    /// </summary>
    private static double TrainSeconds(string dir)
    {
        var total = 0.0;
        foreach (var record in Directory.EnumerateFiles(Path.Combine(dir, ".recipes", "runs"), "*.json"))
            total += JsonNode.Parse(File.ReadAllText(record))!["node_list"]!.AsArray()
                .Where(n => n!["stage"]!.GetValue<string>() == "train" && n["status"]!.GetValue<string>() == "executed")
                .Sum(n => n!["seconds"]!.GetValue<double>());
        return total > 0 ? total : throw new InvalidOperationException($"no run record in {dir} executed a train node");
    }
}
