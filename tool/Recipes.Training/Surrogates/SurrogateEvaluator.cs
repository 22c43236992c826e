using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plotting.Imaging;
using Recipes.Plotting.Plots;
using Recipes.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Recipes.Training.Surrogates;

/// <summary>
/// <c>evaluate</c> for <c>resnet-unet</c>: MAE and max error of the surrogate on the test split, beside two baselines
/// (predict the mean training field; predict the input); a PNG grid of input / truth / prediction / error for a few
/// test pairs, the loss curve, and everything as <c>metrics.json</c>.
/// </summary>
public sealed class SurrogateEvaluator : TorchStagePlugin
{
    public override string Name => "resnet-unet";
    public override string Stage => StageNames.Evaluate;
    public override int Version => 4;
    public override string Summary => "Test-split MAE and max error against mean-field and identity baselines, with a picture of predictions.";

    private static readonly Setting<int> Examples = Settings.Int("examples", "Test pairs shown in predictions.png.", 6, min: 1, max: 64);

    protected override IReadOnlyList<OptionSpec> StageOptions { get; } =
        [Examples];

    protected override Task RunTorchAsync(PluginContext context, CancellationToken cancellationToken)
    {
        Evaluate(context);
        return Task.CompletedTask;
    }

    private static void Evaluate(PluginContext context)
    {
        var trained = context.Upstream.First(u => u.Stage == StageNames.Train);
        var shards = context.Upstream.Where(u => u.Stage == StageNames.Dataset).ToList();
        var config = ModelFile.Read<ResNetUNetDescription>(trained.Get(ModelFile.Name).Path);
        using var model = new ResNetUNet(config.Depth, config.Width, config.Dropout);
        model.load_safetensors(trained.Get("model.safetensors").Path);
        model.eval();

        var test = FieldPairs.Concat(shards.Select(s => FieldPairs.Read(s, "test")));
        var train = FieldPairs.Concat(shards.Select(s => FieldPairs.Read(s, "train")));
        if (test.Count == 0) throw new PluginException("the test split is empty; add samples or raise split.test");
        var size = test.Size;
        var cells = size * size;
        var prediction = Predict(model, test);
        var trainPrediction = Predict(model, train);

        var meanField = new float[cells];
        if (train.Count > 0)
            for (var k = 0; k < train.Count * cells; k++) meanField[k % cells] += train.Targets[k] / train.Count;
        var model_ = Errors(prediction, test.Targets);
        var mean = Errors(Enumerable.Range(0, test.Count * cells).Select(k => meanField[k % cells]).ToArray(), test.Targets);
        var identity = Errors(test.Inputs, test.Targets);
        var better = Math.Min(mean.Mae, identity.Mae);

        var metrics = new JsonObject
        {
            ["test_pairs"] = test.Count,
            ["mae"] = model_.Mae,
            ["max_error"] = model_.Max,
            ["train_mae"] = train.Count > 0 ? Errors(trainPrediction, train.Targets).Mae : null,
            ["baseline_mean_field_mae"] = mean.Mae,
            ["baseline_input_mae"] = identity.Mae,
            ["improvement_over_best_baseline"] = better / Math.Max(model_.Mae, 1e-12),
        };
        foreach (var (key, value) in metrics) context.Metrics[key] = value?.DeepClone();
        File.WriteAllText(context.OutputPath("metrics.json"), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test MAE {model_.Mae:0.00000} (max {model_.Max:0.0000}); baselines: mean field {mean.Mae:0.00000}, input {identity.Mae:0.00000}; {better / model_.Mae:0.0}x better"));

        DrawExamples(context, test, prediction, Math.Min(test.Count, Examples.Read(context.Settings)));
        if (trained.Find("loss.json") is { } lossFile)
        {
            var losses = JsonNode.Parse(File.ReadAllText(lossFile.Path))!.AsArray();
            new LineChart("Training loss and test MAE", "epoch", "MAE (normalized field)", logY: true, integerX: true)
                .Add("train MAE", losses.Select(l => ((double)l!["epoch"]!.GetValue<int>(), l["loss"]!.GetValue<double>())))
                .Add("test MAE", [((double)losses.Count, model_.Mae)], markers: true)
                .Level("best baseline", better)
                .SavePng(context.OutputPath("loss.png"));
        }
    }

    public static float[] Predict(ResNetUNet model, FieldPairs pairs)
    {
        var cells = pairs.Size * pairs.Size;
        var prediction = new float[pairs.Count * cells];
        using var noGrad = torch.no_grad();
        for (var start = 0; start < pairs.Count; start += 64)
        {
            using var scope = torch.NewDisposeScope();
            var take = Math.Min(64, pairs.Count - start);
            var x = torch.tensor(pairs.Inputs.AsSpan(start * cells, take * cells).ToArray(), [take, 1, pairs.Size, pairs.Size]);
            model.call(x).data<float>().CopyTo(prediction.AsSpan(start * cells, take * cells));
        }
        return prediction;
    }

    private static (double Mae, double Max) Errors(float[] predicted, float[] truth)
    {
        double sum = 0, max = 0;
        for (var k = 0; k < truth.Length; k++)
        {
            var e = Math.Abs((double)predicted[k] - truth[k]);
            sum += e;
            if (e > max) max = e;
        }
        return (sum / truth.Length, max);
    }

    /// <summary>
    /// One row per test example (labelled with its index): input, truth, prediction on one colour scale over the fields'
    /// range, |error| on its own scale, each with a colour bar.
    /// </summary>
    private static void DrawExamples(PluginContext context, FieldPairs test, float[] prediction, int examples)
    {
        var size = test.Size;
        var cells = size * size;
        var shown = examples * cells;
        var field = FieldScale.Fit("field value (normalized)", test.Inputs.Take(shown).Concat(test.Targets.Take(shown)).Concat(prediction.Take(shown)));
        var errors = new float[shown];
        for (var k = 0; k < shown; k++) errors[k] = Math.Abs(prediction[k] - test.Targets[k]);
        var error = new FieldScale("|prediction - truth|", 0, Math.Max(1e-6, errors.Max()), FieldColors.Viridis);
        var grid = new FieldGrid("Test predictions", ["input", "truth", "prediction", "|error|"]) { PanelPixels = Math.Clamp(4 * size, 96, 160) };
        for (var e = 0; e < examples; e++)
            grid.AddRow($"test {e}",
                FieldPanel.Square(test.Inputs.AsSpan(e * cells, cells), size, field),
                FieldPanel.Square(test.Targets.AsSpan(e * cells, cells), size, field),
                FieldPanel.Square(prediction.AsSpan(e * cells, cells), size, field),
                FieldPanel.Square(errors.AsSpan(e * cells, cells), size, error));
        grid.SavePng(context.OutputPath("predictions.png"));
    }
}
