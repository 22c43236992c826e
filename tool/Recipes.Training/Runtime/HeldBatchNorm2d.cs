using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Recipes.Training;

/// <summary>
/// <c>nn.BatchNorm2d</c> (the same parameters, buffers, initialization and arithmetic) whose forward pass keeps its
/// Scalars alive (see <see cref="HeldScalars"/>). TorchSharp 0.107's counts the batch with
/// <c>num_batches_tracked.add_(1)</c>, two implicit Scalars (the 1 and its alpha), and reads the count back with
/// <c>(double)num_batches_tracked</c>, a Scalar from <c>Tensor.ToScalar()</c> that nothing disposes; a garbage
/// collection during either native call frees a Scalar libtorch is reading.
/// </summary>
public sealed class HeldBatchNorm2d(long features, double eps = 1e-05, double momentum = 0.1)
    : BatchNorm(features, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
{
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        // BatchNorm.forward of TorchSharp 0.107, step for step.
        var factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(HeldScalars.One, HeldScalars.One);
            // The count read from the tensor's memory: the same value as (double)num_batches_tracked, with no Scalar.
            factor = momentum is null ? 1.0 / num_batches_tracked.item<long>() : momentum.Value;
        }
        var statistics = !training || track_running_stats;
        return nn.functional.batch_norm(input, statistics ? running_mean : null, statistics ? running_var : null, weight, bias,
            training || (running_mean is null && running_var is null), factor, eps);
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.");
    }
}
