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

    public static void Apply(int threads)
    {
        torch.set_num_threads(threads);
        lock (Gate)
        {
            if (_applied) return;
            DeterministicOneDnn = SetContextFlag("_ZN2at7Context22setDeterministicMkldnnEb", true);
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
        if (!DeterministicOneDnn)
            throw new PluginException("libtorch does not export at::Context::setDeterministicMkldnn, so training would not be reproducible; use libtorch 2.10 (recipes setup torch)");
    }
}
