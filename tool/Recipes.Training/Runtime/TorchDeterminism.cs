using System.Runtime.InteropServices;
using Recipes.Plugins;
using TorchSharp;

namespace Recipes.Training;

/// <summary>
/// Sets libtorch up so that a node's artifacts are the same bytes on one machine whatever its load. Two things matter,
/// both found by running the trainers with 1 and 2 threads, repeatedly, under load:
/// <list type="bullet">
/// <item>oneDNN's convolution backward passes may accumulate the weight gradient over threads in the order the threads
/// finish. PyTorch's <c>torch.backends.mkldnn.deterministic</c> switch (<c>at::Context::setDeterministicMkldnn</c>,
/// which TorchSharp does not wrap, so it is called here through its exported symbol) makes oneDNN choose deterministic
/// algorithms.</item>
/// <item>Reductions (sums, means, BatchNorm statistics, matrix products) split their work by the thread count, so
/// their rounding depends on it: the heat CI model's first-epoch loss is 0.402053102850914 with one thread and
/// 0.4020531177520752 with two. Every libtorch node therefore runs with <c>torch_threads</c> intra-op threads,
/// 1 unless the recipe says otherwise, and that setting is part of the key: the artifacts never depend on how many
/// cores the machine has or how busy they are.</item>
/// <item>oneDNN's vectorized convolution kernels are off (<c>torch.backends.mkldnn.enabled = False</c>, through
/// <c>at::Context::setUserEnabledMkldnn</c>): on a 2-core AMD EPYC (Zen 5) virtual machine whose CPUID reports a 508 MB
/// L3 cache with associativity 0, they produced NaN gradients at random steps in 5 to 7 of 8 builds of a tiny
/// latent-diffusion recipe with oneDNN at AVX-512 and 4 of 8 at AVX2, in both autoencoder and denoiser, and 0 of 8 with
/// oneDNN limited to SSE4.1 or switched off. ATen's own convolutions (im2col and a matrix product) compute the same
/// models with no such failure, so every convolutional trainer runs on them.</item>
/// </list>
/// </summary>
public static class TorchDeterminism
{
    private delegate IntPtr GlobalContext();
    private delegate void SetFlag(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool value);

    private static readonly Lock Gate = new();
    private static bool _applied;

    /// <summary>Whether oneDNN's deterministic mode could be switched on (false only if libtorch lacks the symbol).</summary>
    public static bool DeterministicOneDnn { get; private set; }

    /// <summary>Whether oneDNN's convolutions could be switched off (false only if libtorch lacks the symbol).</summary>
    public static bool OneDnnOff { get; private set; }

    public static void Apply(int threads)
    {
        torch.set_num_threads(threads);
        lock (Gate)
        {
            if (_applied) return;
            DeterministicOneDnn = SetContextFlag("_ZN2at7Context22setDeterministicMkldnnEb", true);
            OneDnnOff = SetContextFlag("_ZN2at7Context20setUserEnabledMkldnnEb", false);
            // Without oneDNN, ATen would try NNPACK for every convolution and, on CPUs NNPACK does not support, log a
            // warning each time (18,000 lines in one node's log); its own kernels are used either way.
            SetContextFlag("_ZN2at7Context20setUserEnabledNNPACKEb", false);
            _applied = true;
        }
    }

    private static bool SetContextFlag(string symbol, bool value)
    {
        if (!TryLibTorch(out var library)) return false;
        if (!NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out var contextExport) ||
            !NativeLibrary.TryGetExport(library, symbol, out var setterExport))
            return false;
        var context = Marshal.GetDelegateForFunctionPointer<GlobalContext>(contextExport)();
        Marshal.GetDelegateForFunctionPointer<SetFlag>(setterExport)(context, value);
        return true;
    }

    private static bool TryLibTorch(out IntPtr library) =>
        NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories, out library) ||
        NativeLibrary.TryLoad("libtorch_cpu.so", out library);

    /// <summary>Fails clearly when a seeded run could not be made deterministic, rather than caching a run that is not.</summary>
    public static void Require()
    {
        if (!DeterministicOneDnn || !OneDnnOff)
            throw new PluginException("libtorch does not export at::Context::setDeterministicMkldnn and setUserEnabledMkldnn, so training would not be reproducible; use libtorch 2.10 (recipes setup torch)");
    }
}
