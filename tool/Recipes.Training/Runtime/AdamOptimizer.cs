using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training;

/// <summary>
/// Adam ("Adam: A Method for Stochastic Optimization", Kingma and Ba 2015) with the exact update of TorchSharp's
/// <c>optim.Adam</c> (no weight decay, no AMSGrad), written here because TorchSharp 0.107 passes numbers to libtorch as
/// implicitly converted <see cref="Scalar"/> objects that nothing keeps alive: when another thread triggers a garbage
/// collection while a native call is running, the finalizer can free a Scalar libtorch is about to read, and the step
/// fails with "Unknown scalar type" (seen in about one build in twenty-five; upstream issue: implicit Scalars are left
/// to the GC). Every Scalar here lives in a field or a <c>using</c> that outlasts the calls that read it.
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    private readonly List<(TorchSharp.Modules.Parameter Parameter, Tensor Mean, Tensor Variance)> _slots;
    private readonly Scalar _beta1;
    private readonly Scalar _beta2;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _epsilon;
    private readonly Scalar _one;
    private readonly double _beta1Value;
    private readonly double _beta2Value;
    private long _step;

    public AdamOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        LearningRate = learningRate;
        (_beta1Value, _beta2Value) = (beta1, beta2);
        _beta1 = beta1.ToScalar();
        _beta2 = beta2.ToScalar();
        _oneMinusBeta1 = (1 - beta1).ToScalar();
        _oneMinusBeta2 = (1 - beta2).ToScalar();
        _epsilon = epsilon.ToScalar();
        _one = 1.0.ToScalar();
        using (no_grad())
            _slots = parameters.Select(p => (p, zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope())).ToList();
    }

    public double LearningRate { get; set; }

    public void ZeroGrad()
    {
        foreach (var (parameter, _, _) in _slots) parameter.grad?.zero_();
    }

    public void Step()
    {
        using var noGrad = no_grad();
        _step++;
        var correction1 = 1 - Math.Pow(_beta1Value, _step);
        var correction2 = 1 - Math.Pow(_beta2Value, _step);
        using var stepSize = (-LearningRate / correction1).ToScalar();
        using var root = Math.Sqrt(correction2).ToScalar();
        foreach (var (parameter, mean, variance) in _slots)
        {
            // The gradient's wrapper is made inside the scope, which holds it (and then frees it) whoever calls Step.
            using var scope = NewDisposeScope();
            var gradient = parameter.grad;
            if (gradient is null) continue;
            mean.mul_(_beta1).add_(gradient, _oneMinusBeta1);
            variance.mul_(_beta2).addcmul_(gradient, gradient, _oneMinusBeta2);
            var denominator = variance.sqrt().div_(root).add_(_epsilon, _one);
            parameter.addcdiv_(mean, denominator, stepSize);
        }
    }

    /// <summary>The moments and the step count, for a checkpoint (the learning rate is the trainer's to restore).</summary>
    public void SaveTo(TrainingCheckpoint.Builder checkpoint, string prefix)
    {
        for (var k = 0; k < _slots.Count; k++)
        {
            checkpoint.Add($"{prefix}{k}.mean", _slots[k].Mean);
            checkpoint.Add($"{prefix}{k}.variance", _slots[k].Variance);
        }
        checkpoint.State[prefix + "step"] = _step;
    }

    public void RestoreFrom(TrainingCheckpoint checkpoint, string prefix)
    {
        for (var k = 0; k < _slots.Count; k++)
        {
            checkpoint.CopyInto($"{prefix}{k}.mean", _slots[k].Mean);
            checkpoint.CopyInto($"{prefix}{k}.variance", _slots[k].Variance);
        }
        _step = checkpoint.State[prefix + "step"]!.GetValue<long>();
    }

    public void Dispose()
    {
        foreach (var (_, mean, variance) in _slots)
        {
            mean.Dispose();
            variance.Dispose();
        }
        foreach (var scalar in new[] { _beta1, _beta2, _oneMinusBeta1, _oneMinusBeta2, _epsilon, _one }) scalar.Dispose();
    }
}
