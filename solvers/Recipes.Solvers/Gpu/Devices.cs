using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Recipes.Plugins;

namespace Recipes.Solvers.Gpu;

/// <summary>
/// The ILGPU context and accelerators of this process, chosen once: the CPU accelerator by default, CUDA when asked
/// for (<c>cuda</c>) or when present (<c>auto</c>). OpenCL is not probed: it is slow to enumerate and not needed.
/// </summary>
public static class Devices
{
    private static readonly Lazy<Context> SharedContext = new(() => Context.Create(builder => builder.CPU().Cuda().Math(MathMode.Default)));
    private static readonly Lazy<Accelerator> CpuAccelerator = new(() => SharedContext.Value.CreateCPUAccelerator(0, CPUAcceleratorMode.Parallel));
    private static readonly Lazy<Accelerator?> CudaAccelerator = new(() =>
    {
        var device = SharedContext.Value.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda);
        return device?.CreateAccelerator(SharedContext.Value);
    });

    /// <summary>Serializes use of one accelerator: kernels of different nodes never interleave on a stream.</summary>
    public static readonly Lock GpuLock = new();

    public static bool HasCuda => CudaDeviceCount > 0;

    public static int CudaDeviceCount
    {
        get
        {
            try
            {
                return SharedContext.Value.Devices.Count(d => d.AcceleratorType == AcceleratorType.Cuda);
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException)
            {
                return 0;
            }
        }
    }

    /// <summary><c>auto</c> resolves to <c>cuda</c> when a CUDA device exists, else <c>cpu</c>.</summary>
    public static string Resolve(string requested) => requested switch
    {
        "cuda" when !HasCuda => throw new PluginException("device 'cuda' was requested but no CUDA device is present; use --device cpu or auto"),
        "cuda" => "cuda",
        "auto" => HasCuda ? "cuda" : "cpu",
        _ => "cpu",
    };

    public static Accelerator For(string resolved) =>
        resolved == "cuda" ? CudaAccelerator.Value ?? throw new PluginException("no CUDA device") : CpuAccelerator.Value;
}
