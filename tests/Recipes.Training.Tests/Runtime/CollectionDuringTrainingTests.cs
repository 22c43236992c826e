using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Training.Diffusion;
using Recipes.Training.GraphNetworks;
using Recipes.Training.Surrogates;
using Recipes.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training.Tests.Runtime;

/// <summary>
/// The trainers' code paths while another thread collects garbage without pause, as in a busy test host. TorchSharp
/// hands numbers to libtorch as Scalars that nothing keeps alive during the native call (see HeldScalars), so a
/// collection could free one that libtorch was reading: "Unknown scalar type", an alpha of the wrong type, a wrong
/// value, or the test host killed by an uncaught c10::Error. Every loss must be finite and three runs the same bytes.
/// </summary>
[Trait("Category", "Training")]
[Trait("Category", "BothPaths")]
public sealed class CollectionDuringTrainingTests
{
    private const int Runs = 3;
    private const int Steps = 40;
    private const int Size = 8;
    private const int Count = 16;

    [Fact]
    public async Task TrainingWhileAnotherThreadCollectsIsFiniteAndRepeatable()
    {
        TorchRuntime.EnsureLoadable();
        using var torchLock = TorchLock.Hold();
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() => Collect(stop.Token)) { IsBackground = true, Name = "collector" };
        collector.Start();
        var runs = new List<byte[]>();
        try
        {
            for (var run = 0; run < Runs; run++) runs.Add(await Run());
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
        for (var run = 1; run < Runs; run++) Assert.Equal(runs[0], runs[run]);
    }

    /// <summary>Collects and runs finalizers without pause, as a busy test host's allocating threads make the GC do.</summary>
    private static void Collect(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>Everything once, on its own thread with one intra-op thread, as a libtorch node runs.</summary>
    private static async Task<byte[]> Run()
    {
        byte[] bytes = [];
        await TorchThread.RunAsync(() =>
        {
            TorchDeterminism.Apply(1);
            bytes = TrainEverything();
            return Task.CompletedTask;
        });
        return bytes;
    }

    private static byte[] TrainEverything()
    {
        using var output = new MemoryStream();
        manual_seed(7);
        var random = new SeededRandom(7);
        var context = Context();
        var images = Images(random);

        // Latent diffusion (latent-ddpm): the autoencoder, then a conditional denoiser on its latents, then guided DDIM.
        var settings = new AutoencoderTraining.Settings(8, 1, 2, 1e-3, Steps, 1e-3, 8, "vae_");
        var (vae, vaeCurve, scale) = AutoencoderTraining.Train(images, settings, random, context, 0, 1, CancellationToken.None);
        using (vae)
        {
            using var latents = AutoencoderTraining.Encode(vae, images, scale);
            using var conditions = images.ConditionBatch([.. Enumerable.Range(0, Count)], images.Minimum, images.Maximum);
            var schedule = new DiffusionSchedule(50, 1e-4, 0.02);
            using var model = new DiffusionUNet(2, 8, [1, 2], 1);
            using var ema = new DiffusionUNet(2, 8, [1, 2], 1);
            var curve = DenoiserTraining.Train(model, ema, schedule, latents, conditions, new DenoiserTraining.Settings(Steps, 8, 1e-3, 0.99, 0.2),
                random, context, 0, 1, CancellationToken.None);
            Write(output, vae);
            Write(output, ema);
            Write(output, [.. vaeCurve.Concat(curve).Select(p => p.Loss), scale]);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var sampled = schedule.SampleDdim((x, t, c) => ema.call(x, t, c), [4, 2, 4, 4], 10, conditions.narrow(0, 0, 4), 2.0, null);
            Write(output, "ddim", vae.Decode(sampled));
        }

        // Pixel diffusion (ddpm): an unconditional denoiser on the images, then DDPM's sampler with clipping.
        using (var pixels = images.ImageBatch([.. Enumerable.Range(0, Count)]))
        {
            var schedule = new DiffusionSchedule(20, 1e-4, 0.02);
            using var model = new DiffusionUNet(1, 8, [1, 2], 0);
            using var ema = new DiffusionUNet(1, 8, [1, 2], 0);
            var curve = DenoiserTraining.Train(model, ema, schedule, pixels, null, new DenoiserTraining.Settings(Steps, 8, 1e-3, 0.99, 0),
                random, context, 0, 1, CancellationToken.None);
            Write(output, ema);
            Write(output, [.. curve.Select(p => p.Loss)]);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Write(output, "ddpm", schedule.SampleDdpm((x, t, c) => ema.call(x, t, c), [2, 1, Size, Size], null, 1, 1.0));
        }

        TrainSurrogate(output, random);
        TrainGraphNetwork(output, random);
        return output.ToArray();
    }

    /// <summary>resnet-unet: its BatchNorm and dropout, Adam, and the BatchNorm recalibration.</summary>
    private static void TrainSurrogate(MemoryStream output, SeededRandom random)
    {
        var cells = Size * Size;
        var inputs = Enumerable.Range(0, Count * cells).Select(_ => (float)random.NextDouble()).ToList();
        var targets = inputs.Select((v, k) => 0.5f * (v + inputs[k - k % cells + (k + 1) % cells])).ToList();
        using var model = new ResNetUNet(2, 2, 0.1);
        using var optimizer = new AdamOptimizer(model.parameters(), 1e-3);
        model.train();
        var rows = Enumerable.Range(0, Count).ToArray();
        var losses = new List<double>();
        for (var step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = SurrogateTrainer.Batch(inputs, targets, rows.AsSpan(step % 2 * 8, 8), Size);
            optimizer.ZeroGrad();
            var loss = nn.functional.l1_loss(model.call(x), y);
            loss.backward();
            optimizer.Step();
            losses.Add(Finite(loss.item<float>(), "surrogate", step));
        }
        SurrogateTrainer.RecalibrateBatchNorm(model, inputs, targets, Count, Size, 8);
        Write(output, model);
        Write(output, losses);
        Write(output, [.. SurrogateEvaluator.Predict(model, new FieldPairs(Count, Size, [.. inputs], [.. targets])).Select(v => (double)v)]);
    }

    /// <summary>gns: noisy windows batched into one graph, Adam, the weight average, and a short rollout.</summary>
    private static void TrainGraphNetwork(MemoryStream output, SeededRandom random)
    {
        const int particles = 10;
        const int steps = 12;
        var metadata = new GnsMetadata(2, 0.01, 0.35, [0, 0], [1, 1], [0, 0], [0.01, 0.01], [0, 0], [0.001, 0.001]);
        var features = new GnsFeatures(metadata, 1e-3) { ClampToBox = true };
        var positions = new float[steps * particles * 2];
        for (var k = 0; k < particles * 2; k++)
        {
            var (x, v) = (0.2 + 0.6 * random.NextDouble(), 0.01 * (random.NextDouble() - 0.5));
            for (var t = 0; t < steps; t++) positions[t * particles * 2 + k] = (float)(x + v * t);
        }
        var trajectory = new Trajectory("0", steps, particles, positions, [.. Enumerable.Repeat(5, particles)]);
        using var model = new GnsModel(features.NodeFeatureCount, features.EdgeFeatureCount, 2, 16, 2);
        using var optimizer = new AdamOptimizer(model.parameters(), 1e-3);
        using var average = WeightAverage<GnsModel>.Create(model, 0.9, () => new GnsModel(features.NodeFeatureCount, features.EdgeFeatureCount, 2, 16, 2), CPU)!;
        model.train();
        var losses = new List<double>();
        for (var step = 0; step < Steps; step++)
        {
            var windows = new List<(float[] Window, int Particles, int[] Types)>();
            var targets = new List<float>();
            for (var b = 0; b < 2; b++)
            {
                var (window, target) = GnsTrainer.NoisyExample(trajectory, random.Int(GnsFeatures.History, steps - 2), features, random);
                windows.Add((window, particles, trajectory.Types));
                targets.AddRange(target);
            }
            using var scope = NewDisposeScope();
            var graph = features.Batch(windows);
            optimizer.ZeroGrad();
            var loss = nn.functional.mse_loss(model.call(graph), tensor(targets.ToArray(), [targets.Count / 2, 2]));
            loss.backward();
            optimizer.Step();
            average.Update(step);
            losses.Add(Finite(loss.item<float>(), "graph network", step));
        }
        Write(output, average.Model);
        Write(output, losses);
        using (no_grad())
            Write(output, [.. GnsRollout.Roll(average.Model, features, trajectory).Select(v => (double)v)]);
    }

    private static double Finite(double loss, string what, int step)
    {
        Assert.True(double.IsFinite(loss), $"{what}: the loss is {loss} at step {step + 1}");
        return loss;
    }

    private static ImageDataset Images(SeededRandom random)
    {
        var images = new float[Count * Size * Size];
        var parameters = new float[Count];
        for (var n = 0; n < Count; n++)
        {
            var (cx, cy) = (random.Uniform(2, Size - 2), random.Uniform(2, Size - 2));
            parameters[n] = (float)cx;
            for (var y = 0; y < Size; y++)
                for (var x = 0; x < Size; x++)
                    images[(n * Size + y) * Size + x] = (float)Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 4.0);
        }
        return new ImageDataset("train", images, Count, Size, parameters, ["x"], [2.0], [Size - 2.0]);
    }

    private static PluginContext Context() => new()
    {
        NodeId = "train",
        Stage = "train",
        Settings = ValueMap.Empty,
        Parameters = ValueMap.Empty,
        Seed = 7,
        Upstream = [],
        WorkDirectory = Path.GetTempPath(),
        OutputDirectory = Path.GetTempPath(),
        Log = TextWriter.Null,
        Metrics = new Dictionary<string, JsonNode?>(),
        Threads = 1,
        Device = DeviceKind.Cpu,
    };

    /// <summary>Every parameter and buffer (BatchNorm statistics included), by name.</summary>
    private static void Write(MemoryStream output, nn.Module module)
    {
        using var scope = NewDisposeScope();
        foreach (var (name, value) in module.state_dict()) Write(output, name, value);
    }

    private static void Write(MemoryStream output, string name, Tensor value)
    {
        using var scope = NewDisposeScope();
        Assert.True(!value.is_floating_point() || isfinite(value).all().item<bool>(), $"{name} is not finite");
        output.Write(System.Text.Encoding.UTF8.GetBytes(name));
        output.Write(value.contiguous().bytes);
    }

    private static void Write(MemoryStream output, IEnumerable<double> values)
    {
        foreach (var value in values) output.Write(BitConverter.GetBytes(value));
    }
}
