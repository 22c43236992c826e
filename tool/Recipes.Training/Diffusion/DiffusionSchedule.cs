using Recipes.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training.Diffusion;

/// <summary>
/// The forward process of DDPM with a linear β schedule (β₁ … β_T), and its two samplers: DDPM's ancestral sampler
/// (T steps, with the posterior variance β̃_t) and DDIM's deterministic one (η = 0) on an evenly spaced subsequence of timesteps
/// ("Denoising Diffusion Implicit Models", Song et al. 2021). Classifier-free guidance (Ho and Salimans 2022) mixes
/// the conditional and unconditional predictions as ε_u + w (ε_c − ε_u).
/// </summary>
public sealed class DiffusionSchedule
{
    private readonly double[] _betas;
    private readonly double[] _alphaBars;
    private readonly float[] _alphaBarsSingle;

    public DiffusionSchedule(int timesteps, double betaStart, double betaEnd)
    {
        Timesteps = timesteps;
        _betas = Enumerable.Range(0, timesteps).Select(t => betaStart + (betaEnd - betaStart) * t / Math.Max(1, timesteps - 1)).ToArray();
        _alphaBars = new double[timesteps];
        var product = 1.0;
        for (var t = 0; t < timesteps; t++) _alphaBars[t] = product *= 1 - _betas[t];
        _alphaBarsSingle = _alphaBars.Select(a => (float)a).ToArray();
    }

    public int Timesteps { get; }

    /// <summary>x_t = √ᾱ_t x₀ + √(1−ᾱ_t) ε for a batch of timesteps.</summary>
    public Tensor Noised(Tensor x0, Tensor t, Tensor noise)
    {
        using var held = new HeldScalars();
        var alphaBar = tensor(_alphaBarsSingle).index_select(0, t).view(-1, 1, 1, 1);
        return HeldScalars.Sum(alphaBar.sqrt() * x0, held.Minus(1, alphaBar).sqrt() * noise);
    }

    /// <summary>The noise prediction for a batch at one timestep: model(x, t, condition), guided when a scale and conditions are given.</summary>
    public delegate Tensor Predictor(Tensor x, Tensor t, Tensor? conditions);

    private static Tensor Guided(Predictor model, Tensor x, int t, Tensor? conditions, double guidance)
    {
        var batch = x.shape[0];
        using var held = new HeldScalars();
        var steps = full([batch], held[t], dtype: ScalarType.Int64);
        if (conditions is null) return model(x, steps, null);
        if (guidance == 1) return model(x, steps, conditions);
        // One pass over [conditional; unconditional]: the unconditional half sees the zero (dropped) condition.
        var both = model(cat([x, x], 0), cat([steps, steps], 0), cat([conditions, zeros_like(conditions)], 0));
        var parts = both.chunk(2, 0);
        return HeldScalars.Sum(parts[1], held[guidance] * (parts[0] - parts[1]));
    }

    /// <summary>DDIM (η = 0) from pure noise in <paramref name="steps"/> steps; <paramref name="clip"/> bounds the x₀ estimate (pixel space).</summary>
    public Tensor SampleDdim(Predictor model, long[] shape, int steps, Tensor? conditions, double guidance, double? clip)
    {
        using var grad = no_grad();
        // A few Scalars per step, freed when sampling ends.
        using var held = new HeldScalars();
        var x = randn(shape);
        var sequence = Enumerable.Range(0, steps).Select(i => (int)((long)i * Timesteps / steps)).Distinct().Reverse().ToList();
        for (var k = 0; k < sequence.Count; k++)
        {
            using var scope = NewDisposeScope();
            var t = sequence[k];
            var alphaBar = _alphaBars[t];
            var previous = k + 1 < sequence.Count ? _alphaBars[sequence[k + 1]] : 1.0;
            var epsilon = Guided(model, x, t, conditions, guidance);
            var x0 = (x - held[Math.Sqrt(1 - alphaBar)] * epsilon) / held[Math.Sqrt(alphaBar)];
            if (clip is { } c)
            {
                x0 = x0.clamp(held[-c], held[c]);
                // The noise consistent with the clipped estimate, so the step does not carry back what clipping removed
                // (otherwise a flat background at the clip bound keeps a grain of the unclipped prediction).
                epsilon = (x - held[Math.Sqrt(alphaBar)] * x0) / held[Math.Sqrt(1 - alphaBar)];
            }
            x = HeldScalars.Sum(held[Math.Sqrt(previous)] * x0, held[Math.Sqrt(1 - previous)] * epsilon).MoveToOuterDisposeScope();
        }
        return x;
    }

    /// <summary>DDPM's ancestral sampler over all T steps.</summary>
    public Tensor SampleDdpm(Predictor model, long[] shape, Tensor? conditions, double guidance, double? clip)
    {
        using var grad = no_grad();
        // A few Scalars per step, freed when sampling ends.
        using var held = new HeldScalars();
        var x = randn(shape);
        for (var t = Timesteps - 1; t >= 0; t--)
        {
            using var scope = NewDisposeScope();
            var epsilon = Guided(model, x, t, conditions, guidance);
            var (beta, alphaBar) = (_betas[t], _alphaBars[t]);
            // The mean through the clipped x₀ estimate (the posterior mean of DDPM's q(x_{t-1} | x_t, x₀)).
            var x0 = (x - held[Math.Sqrt(1 - alphaBar)] * epsilon) / held[Math.Sqrt(alphaBar)];
            if (clip is { } c) x0 = x0.clamp(held[-c], held[c]);
            var previous = t > 0 ? _alphaBars[t - 1] : 1.0;
            var mean = HeldScalars.Sum(held[Math.Sqrt(previous) * beta / (1 - alphaBar)] * x0, held[Math.Sqrt(1 - beta) * (1 - previous) / (1 - alphaBar)] * x);
            var next = t > 0 ? HeldScalars.Sum(mean, held[Math.Sqrt(beta * (1 - previous) / (1 - alphaBar))] * randn_like(x)) : mean;
            x = next.MoveToOuterDisposeScope();
        }
        return x;
    }
}
