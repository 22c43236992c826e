using Recipes.Plugins;
using TorchSharp;

namespace Recipes.Training;

/// <summary>
/// Where a libtorch stage computes. The packaged libtorch is the CPU build, so <c>auto</c> means the CPU here; a user
/// whose TorchSharp carries a CUDA build of libtorch (the TorchSharp-cuda-linux package in place of
/// libtorch-cpu-linux-x64, see docs/install.md) gets the GPU with <c>--device auto</c> or <c>cuda</c> and no other change.
/// Results on a GPU are not bitwise those of the CPU (other kernels, other summation order).
/// </summary>
public static class TorchDevices
{
    public static torch.Device Resolve(DeviceKind requested)
    {
        var available = torch.cuda.is_available();
        return requested switch
        {
            DeviceKind.Cpu => torch.CPU,
            DeviceKind.Cuda when !available => throw new PluginException(
                "device 'cuda' was requested but this libtorch has no CUDA (the packaged build is CPU-only; docs/install.md says how to use a CUDA build); use --device cpu or auto"),
            DeviceKind.Cuda => torch.CUDA,
            _ => available ? torch.CUDA : torch.CPU,
        };
    }
}
