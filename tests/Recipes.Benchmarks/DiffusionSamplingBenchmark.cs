using System.Diagnostics;
using Recipes.Training.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Benchmarks;

/// <summary>
/// Inference time per image of pixel against latent diffusion at the same output size, with the architectures of the
/// smoke-diffusion recipes (pixel UNet 32·[1, 2, 2] on size² images; latent UNet 64·[1, 2] on (size/4)²×4 latents,
/// classifier-free guidance on two conditions, then the ×4 decoder of 32 channels). Both sample with DDIM in the same
/// number of steps. Untrained weights cost the same arithmetic as trained ones, so no training is needed to time them.
/// </summary>
public static class DiffusionSamplingBenchmark
{
    public static void Run(int size, int batch, int steps, int threads)
    {
        Recipes.Training.TorchRuntime.EnsureLoadable();
        torch.set_num_threads(threads);
        manual_seed(1);
        var schedule = new DiffusionSchedule(1000, 1e-4, 0.02);
        using var pixel = new DiffusionUNet(1, 32, [1, 2, 2], 0);
        using var latent = new DiffusionUNet(4, 64, [1, 2], 2);
        using var vae = new Autoencoder(1, 32, 2, 4);
        foreach (var module in new nn.Module[] { pixel, latent, vae }) module.eval();
        using var conditions = zeros(batch, 2);

        double Pixel()
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            schedule.SampleDdim((x, t, c) => pixel.call(x, t, c), [batch, 1, size, size], steps, null, 1, 1.0);
            return clock.Elapsed.TotalMilliseconds / batch;
        }

        double Latent()
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            var z = schedule.SampleDdim((x, t, c) => latent.call(x, t, c), [batch, 4, size / 4, size / 4], steps, conditions, 3.0, null);
            using (no_grad()) vae.Decode(z);
            return clock.Elapsed.TotalMilliseconds / batch;
        }

        Pixel();
        Latent();
        // Alternate the two so drift of a noisy machine falls on both alike; report medians.
        var (pixelTimes, latentTimes) = (new List<double>(), new List<double>());
        for (var i = 0; i < 5; i++)
        {
            pixelTimes.Add(Pixel());
            latentTimes.Add(Latent());
        }
        var (p, l) = (Median(pixelTimes), Median(latentTimes));
        Console.WriteLine($"{size} px, DDIM {steps} steps, batch {batch}, {threads} threads: pixel {p:0.0} ms/image, latent (guided) + decode {l:0.0} ms/image, pixel/latent {p / l:0.00}x");
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
