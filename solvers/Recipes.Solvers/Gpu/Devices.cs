using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Recipes.Plugins;

namespace Recipes.Solvers.Gpu;

/// <summary>
/// The ILGPU context and accelerators of this process. CPU accelerators are pooled, one per concurrently running
/// solve, each simulating a single two-lane warp: ILGPU's default CPU device simulates a 16-thread GPU group per core
/// and pays microseconds per simulated thread, while kernels written to give each CPU thread a whole problem run at
/// the speed of plain compiled code. The CUDA accelerator, when present, is shared and used under a lock.
/// </summary>
public static class Devices
{
    private static readonly Lazy<Context> SharedContext = new(() =>
        Context.Create(builder => builder.CPU(new CPUDevice(2, 1, Environment.ProcessorCount)).Cuda().Math(MathMode.Default)));

    private static readonly ConcurrentBag<Accelerator> CpuPool = [];
    private static readonly Lazy<Accelerator> BatchAccelerator = new(() => SharedContext.Value.CreateCPUAccelerator(0, CPUAcceleratorMode.Parallel));
    private static readonly Lazy<Accelerator?> CudaAccelerator = new(() =>
    {
        var device = SharedContext.Value.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda);
        return device?.CreateAccelerator(SharedContext.Value);
    });

    /// <summary>Serializes use of the shared CUDA accelerator.</summary>
    public static readonly Lock CudaLock = new();

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
    public static DeviceKind Resolve(DeviceKind requested) => requested switch
    {
        DeviceKind.Cuda when !HasCuda => throw new PluginException("device 'cuda' was requested but no CUDA device is present; use --device cpu or auto"),
        DeviceKind.Cuda => DeviceKind.Cuda,
        DeviceKind.Auto => HasCuda ? DeviceKind.Cuda : DeviceKind.Cpu,
        _ => DeviceKind.Cpu,
    };

    public static Accelerator Cuda => CudaAccelerator.Value ?? throw new PluginException("no CUDA device is present");

    /// <summary>A CPU accelerator with one core's worth of threads, for one solve at a time; give it back with <see cref="ReturnCpu"/>.</summary>
    public static Accelerator RentCpu() =>
        CpuPool.TryTake(out var accelerator) ? accelerator : new CPUDevice(2, 1, 1).CreateCPUAccelerator(SharedContext.Value, CPUAcceleratorMode.Parallel);

    public static void ReturnCpu(Accelerator accelerator) => CpuPool.Add(accelerator);

    /// <summary>A CPU accelerator over every core, for solving a batch of problems in one launch.</summary>
    public static Accelerator CpuBatch => BatchAccelerator.Value;
}
