using Recipes.Training.Tests.Support;
using Recipes.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training.Tests.Runtime;

/// <summary>The trainers' moving average of weights: the exact recurrence, a separate copy, and off at decay 0.</summary>
[Trait("Category", "Training")]
[Trait("Category", "BothPaths")]
public sealed class WeightAverageTests
{
    private static nn.Module<Tensor, Tensor> Net(int seed)
    {
        manual_seed(seed);
        return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1));
    }

    private static double[] Weights(nn.Module module) => [.. module.parameters().SelectMany(p => p.data<float>().ToArray()).Select(v => (double)v)];

    [Fact]
    public void TheAverageFollowsTheRampedRecurrenceAndLeavesTheModelAlone()
    {
        TorchRuntime.EnsureLoadable();
        using var torchLock = TorchLock.Hold();
        var model = Net(1);
        using var average = WeightAverage<nn.Module<Tensor, Tensor>>.Create(model, 0.9, () => Net(2), CPU)!;
        Assert.NotSame(model, average.Model);
        Assert.Equal(Weights(model), Weights(average.Model));

        // Move the weights by hand, as optimizer steps would, and run the recurrence alongside in doubles.
        var expected = Weights(model);
        for (var step = 0; step < 30; step++)
        {
            using (no_grad())
                foreach (var p in model.parameters()) p.add_(0.01 * (step % 7 - 3));
            average.Update(step);
            var d = Math.Min(0.9, (1.0 + step) / (10.0 + step));
            var now = Weights(model);
            for (var k = 0; k < expected.Length; k++) expected[k] = d * expected[k] + (1 - d) * now[k];
        }
        var actual = Weights(average.Model);
        for (var k = 0; k < expected.Length; k++) Assert.Equal(expected[k], actual[k], 5);
        // The average lags the weights: after 30 moves it is not the model.
        Assert.NotEqual(Weights(model), actual);
        Assert.False(average.Model.training);
    }

    [Fact]
    public void ZeroDecayKeepsNoAverage()
    {
        TorchRuntime.EnsureLoadable();
        using var torchLock = TorchLock.Hold();
        Assert.Null(WeightAverage<nn.Module<Tensor, Tensor>>.Create(Net(1), 0, () => throw new InvalidOperationException("no copy is made"), CPU));
    }
}
