using Recipes.Training;
using Recipes.Plugins;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Recipes.Training.Diffusion;

/// <summary>
/// A small CNN that reads simulation parameters (normalized to [−1, 1]) back from an image: three stride-2
/// convolutions, global average pooling, a linear head. Trained on real images only, it then judges generated ones:
/// if a conditional model follows its condition, the regressor recovers the requested parameters from its images.
/// </summary>
public sealed class ParameterRegressor : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> body;

    public ParameterRegressor(int parameters) : base(nameof(ParameterRegressor))
    {
        body = Sequential(
            Conv2d(1, 16, 3, stride: 2, padding: 1), SiLU(),
            Conv2d(16, 32, 3, stride: 2, padding: 1), SiLU(),
            Conv2d(32, 64, 3, stride: 2, padding: 1), SiLU(),
            AdaptiveAvgPool2d(1), Flatten(), Linear(64, parameters));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => body.call(x);

    /// <summary>
    /// Fits the regressor to the training split with MSE and Adam (<c>regressor_steps</c>, <c>regressor_learning_rate</c>),
    /// batches from the seeded generator.
    /// </summary>
    public static ParameterRegressor Fit(PluginContext context, ImageDataset train, double[] minimum, double[] maximum, SeededRandom random,
        Setting<int> stepsSetting, Setting<double> rateSetting, CancellationToken cancellationToken)
    {
        var rate = rateSetting.Name;
        var steps = stepsSetting.Read(context.Settings);
        // Disposed here unless it is returned: a failed fit must not leave the module's native memory to the finalizer.
        ParameterRegressor? owned = new(train.Names.Count);
        try
        {
            var fitted = FitInPlace(owned, context, train, minimum, maximum, random, steps, rate, rateSetting.Read(context.Settings), cancellationToken);
            owned = null;
            return fitted;
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static ParameterRegressor FitInPlace(ParameterRegressor model, PluginContext context, ImageDataset train, double[] minimum, double[] maximum,
        SeededRandom random, int steps, string rate, double learningRate, CancellationToken cancellationToken)
    {
        using var optimizer = new AdamOptimizer(model.parameters(), learningRate);
        var order = DenoiserTraining.Shuffled(train.Count, random);
        var cursor = 0;
        model.train();
        for (var step = 0; step < steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var rows = new int[Math.Min(32, train.Count)];
            for (var k = 0; k < rows.Length; k++)
            {
                if (cursor == train.Count) (order, cursor) = (DenoiserTraining.Shuffled(train.Count, random), 0);
                rows[k] = (int)order[cursor++];
            }
            var loss = nn.functional.mse_loss(model.call(train.ImageBatch(rows)), train.ConditionBatch(rows, minimum, maximum));
            optimizer.ZeroGrad();
            loss.backward();
            optimizer.Step();
            Divergence.Check(context, loss.item<float>(), step + 1, rate, "the parameter regressor's training");
        }
        Divergence.CheckWeights(context, model, rate, "the parameter regressor's training");
        model.eval();
        return model;
    }
}
