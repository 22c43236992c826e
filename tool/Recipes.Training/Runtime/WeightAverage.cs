using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training;

/// <summary>
/// An exponential moving average of a model's weights, kept in a second copy of the model: after each optimizer step
/// a ← d·a + (1 − d)·w, with d ramped up as min(decay, (1 + step)/(10 + step)) so that the average does not hold on
/// to the untrained weights. The copy is what a trainer validates and saves.
/// </summary>
public sealed class WeightAverage<T> : IDisposable where T : nn.Module
{
    private readonly (Tensor Average, Tensor Weight)[] _pairs;
    private readonly double _decay;

    private WeightAverage(T model, T average, double decay)
    {
        Model = average;
        _decay = decay;
        _pairs = [.. average.parameters().Zip(model.parameters(), (a, w) => ((Tensor)a, (Tensor)w))];
        using (no_grad())
            foreach (var (a, w) in _pairs) a.copy_(w);
        average.eval();
    }

    /// <summary>The averaged copy, in eval mode.</summary>
    public T Model { get; }

    /// <summary>An average of <paramref name="model"/>'s weights in a fresh <paramref name="copy"/>, or null when <paramref name="decay"/> is 0.</summary>
    public static WeightAverage<T>? Create(T model, double decay, Func<T> copy, Device device)
    {
        if (decay <= 0) return null;
        var average = copy();
        average.to(device);
        return new WeightAverage<T>(model, average, decay);
    }

    /// <summary>Folds the weights after optimizer step <paramref name="step"/> (from 0) into the average.</summary>
    public void Update(int step)
    {
        var d = Math.Min(_decay, (1.0 + step) / (10.0 + step));
        using var noGrad = no_grad();
        using var held = new HeldScalars();
        var (keep, blend) = (held[d], held[1 - d]);
        foreach (var (a, w) in _pairs) a.mul_(keep).add_(w, blend);
    }

    public void Dispose() => Model.Dispose();
}
