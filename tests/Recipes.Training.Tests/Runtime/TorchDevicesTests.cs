using Recipes.Plugins;
using Recipes.Training;
using TorchSharp;

namespace Recipes.Training.Tests.Runtime;

/// <summary>Which device a libtorch stage picks: the GPU when this libtorch has CUDA and the recipe allows it.</summary>
public sealed class TorchDevicesTests
{
    public TorchDevicesTests() => TorchRuntime.EnsureLoadable();

    [Fact]
    public void AutoPicksCudaExactlyWhenLibtorchHasItAndCpuIsAlwaysCpu()
    {
        var expected = torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU;
        Assert.Equal(expected, TorchDevices.Resolve(DeviceKind.Auto).type);
        Assert.Equal(DeviceType.CPU, TorchDevices.Resolve(DeviceKind.Cpu).type);
    }

    [Fact]
    public void CudaWithoutACudaLibtorchIsOneClearError()
    {
        if (torch.cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, TorchDevices.Resolve(DeviceKind.Cuda).type);
            return;
        }
        var error = Assert.Throws<PluginException>(() => TorchDevices.Resolve(DeviceKind.Cuda));
        Assert.Contains("use --device cpu or auto", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
