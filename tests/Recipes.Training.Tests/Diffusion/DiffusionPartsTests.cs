using Recipes.Training.Diffusion;
using Recipes.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training.Tests.Diffusion;

/// <summary>The pieces of the diffusion models, checked against what their definitions imply.</summary>
[Trait("Category", "Training")]
[Trait("Category", "BothPaths")]
public sealed class DiffusionPartsTests
{
    public DiffusionPartsTests() => Recipes.Training.TorchRuntime.EnsureLoadable();

    private static byte[] Weights(nn.Module module)
    {
        using var stream = new MemoryStream();
        foreach (var (_, parameter) in module.named_parameters()) stream.Write(parameter.contiguous().bytes);
        return stream.ToArray();
    }

    [Fact]
    public void ModulesInitializeWithoutNaNAndTheSameForASeed()
    {
        using var torchLock = TorchLock.Hold();
        byte[] Build(Func<nn.Module> create)
        {
            torch.manual_seed(11);
            using var module = create();
            Assert.DoesNotContain(module.named_parameters(), p => p.parameter.isnan().any().item<bool>());
            return Weights(module);
        }
        foreach (var create in new Func<nn.Module>[] { () => new Autoencoder(1, 16, 2, 4), () => new DiffusionUNet(1, 16, [1, 2], 2) })
            Assert.Equal(Build(create), Build(create));
    }

    [Fact]
    public void TheLinearScheduleMatchesDdpm()
    {
        var schedule = new DiffusionSchedule(1000, 1e-4, 0.02);
        using var x0 = ones(1, 1, 2, 2);
        using var noise = zeros(1, 1, 2, 2);
        // ᾱ_t = Π(1 − β_s): about 0.9999 at the start and 4.0e-5 at T = 1000 (the figures of the DDPM paper's schedule).
        var first = schedule.Noised(x0, tensor(new long[] { 0 }), noise)[0, 0, 0, 0].item<float>();
        var last = schedule.Noised(x0, tensor(new long[] { 999 }), noise)[0, 0, 0, 0].item<float>();
        Assert.Equal(Math.Sqrt(1 - 1e-4), first, 6);
        var alphaBar = Enumerable.Range(0, 1000).Aggregate(1.0, (a, t) => a * (1 - (1e-4 + (0.02 - 1e-4) * t / 999)));
        Assert.Equal(Math.Sqrt(alphaBar), last, 6);
        Assert.InRange(alphaBar, 3e-5, 5e-5);
    }

    /// <summary>The exact ε of a data distribution concentrated on one point x*: both samplers must land on x*.</summary>
    private static DiffusionSchedule.Predictor Oracle(DiffusionSchedule schedule, Func<Tensor?, Tensor> target, double[] alphaBars) => (x, t, c) =>
    {
        var alphaBar = tensor(alphaBars.Select(a => (float)a).ToArray()).index_select(0, t).view(-1, 1, 1, 1);
        return (x - alphaBar.sqrt() * target(c)) / (1 - alphaBar).sqrt();
    };

    private static double[] AlphaBars(int timesteps, double start, double end)
    {
        var result = new double[timesteps];
        var product = 1.0;
        for (var t = 0; t < timesteps; t++) result[t] = product *= 1 - (start + (end - start) * t / (timesteps - 1));
        return result;
    }

    [Fact]
    public void SamplersRecoverAPointDistributionAndGuidanceFollowsTheCondition()
    {
        using var torchLock = TorchLock.Hold();
        var schedule = new DiffusionSchedule(200, 1e-4, 0.02);
        var alphaBars = AlphaBars(200, 1e-4, 0.02);
        torch.manual_seed(3);
        var point = full(new long[] { 2, 1, 4, 4 }, 0.25f);
        var unconditional = Oracle(schedule, _ => point, alphaBars);
        var ddim = schedule.SampleDdim(unconditional, [2, 1, 4, 4], 20, null, 1, clip: 1);
        Assert.True((ddim - point).abs().max().item<float>() < 1e-4, "DDIM missed the point");
        var ddpm = schedule.SampleDdpm(unconditional, [2, 1, 4, 4], null, 1, clip: 1);
        Assert.True((ddpm - point).abs().max().item<float>() < 1e-4, "DDPM missed the point");

        // Conditionally the data sits at the condition's value, unconditionally at 0; guidance 1 is the conditional model.
        var conditions = tensor(new float[] { -0.5f, 0.5f }).view(2, 1);
        Tensor Target(Tensor? c) => c is null ? zeros(2, 1, 4, 4) : c.view(-1, 1, 1, 1).expand(-1, 1, 4, 4);
        var conditional = Oracle(schedule, Target, alphaBars);
        var guided = schedule.SampleDdim(conditional, [2, 1, 4, 4], 20, conditions, 1, clip: null);
        Assert.True((guided - Target(conditions)).abs().max().item<float>() < 1e-4, "guidance 1 must sample the conditional model");
    }

    [Fact]
    public void TheMovingAverageBlendsWeights()
    {
        using var torchLock = TorchLock.Hold();
        torch.manual_seed(1);
        using var model = nn.Linear(3, 2);
        using var average = nn.Linear(3, 2);
        var before = average.weight!.clone();
        DenoiserTraining.UpdateAverage(model, average, 0.75);
        var expected = 0.75 * before + 0.25 * model.weight!;
        Assert.True((average.weight! - expected).abs().max().item<float>() < 1e-7);
    }

    [Fact]
    public void ImageMetricsMeasureWhatTheySay()
    {
        float[] dark = [0f, 0.01f, 0.02f, 0.03f];
        float[] bright = [0.9f, 0.95f, 0.97f, 0.99f];
        Assert.Equal(0, ImageMetrics.HistogramDistance(dark, dark, 10), 12);
        Assert.Equal(2, ImageMetrics.HistogramDistance(dark, bright, 10), 12);
        Assert.Equal(1, ImageMetrics.Pearson([1, 2, 3], [2, 4, 6]), 12);
        Assert.Equal(-1, ImageMetrics.Pearson([1, 2, 3], [3, 2, 1]), 12);
        Assert.Equal(0.5, ImageMetrics.Wasserstein([0, 1, 2], [0.5, 1.5, 2.5]), 9);
        Assert.Equal([0.5, 0.25], ImageMetrics.ImageMeans([0, 1, 0.5f, 0], 2));
    }
}
