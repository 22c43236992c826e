using Recipes.Training.Tests.Support;
using Recipes.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training.Tests.Runtime;

/// <summary>The trainers' Adam replaces TorchSharp's only to keep its Scalars alive; the numbers must not change.</summary>
[Trait("Category", "Training")]
[Trait("Category", "BothPaths")]
public sealed class AdamOptimizerTests
{
    private static nn.Module<Tensor, Tensor> Net()
    {
        manual_seed(3);
        return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2));
    }

    private static float[] Train(nn.Module<Tensor, Tensor> net, Action zero, Action step, Action<int> rate)
    {
        manual_seed(5);
        var x = randn(16, 4);
        var y = randn(16, 2);
        for (var k = 0; k < 25; k++)
        {
            using var scope = NewDisposeScope();
            rate(k);
            zero();
            nn.functional.mse_loss(net.call(x), y).backward();
            step();
        }
        return net.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    }

    [Fact]
    public void StepsMatchTorchSharpsAdamBitForBit()
    {
        TorchRuntime.EnsureLoadable();
        using var torchLock = TorchLock.Hold();
        var reference = Net();
        var library = optim.Adam(reference.parameters(), 0.01);
        var expected = Train(reference, library.zero_grad, () => library.step(),
            k => { foreach (var group in library.ParamGroups) group.LearningRate = 0.01 * Math.Pow(0.9, k); });

        var ours = Net();
        using var optimizer = new AdamOptimizer(ours.parameters(), 0.01);
        var actual = Train(ours, optimizer.ZeroGrad, optimizer.Step, k => optimizer.LearningRate = 0.01 * Math.Pow(0.9, k));

        Assert.Equal(expected, actual);
        var initial = Net().parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        Assert.NotEqual(initial, actual);
    }
}
