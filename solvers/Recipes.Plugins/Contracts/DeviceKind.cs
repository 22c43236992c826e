namespace Recipes.Plugins;

/// <summary>Where kernels run: <c>auto</c> (CUDA when a device is present, else the CPU), <c>cpu</c> or <c>cuda</c>.</summary>
public enum DeviceKind
{
    Auto,
    Cpu,
    Cuda,
}
