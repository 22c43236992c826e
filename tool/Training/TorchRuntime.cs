using System.Text;
using Recipes.Cache;
using Recipes.Plugins;

namespace Recipes.Training;

/// <summary>
/// Makes TorchSharp loadable before first use. TorchSharp 0.107's <c>libLibTorchSharp.so</c> asks for
/// GLIBCXX_3.4.32 (GCC 13) for one marker symbol; where the process's libstdc++ lacks that version (Debian 12 ships
/// GCC 12's), the requirement is marked weak in place, once, atomically. Where libstdc++ has it, nothing is touched.
/// Also fixes libtorch's thread count, so results do not depend on the machine's cores.
/// </summary>
public static class TorchRuntime
{
    public const string MissingVersion = "GLIBCXX_3.4.32";
    private static readonly Lock Gate = new();
    private static bool _ready;

    public static void EnsureLoadable()
    {
        lock (Gate)
        {
            if (_ready) return;
            if (OperatingSystem.IsLinux() && !ProcessLibStdCxxHas(MissingVersion))
                foreach (var library in Candidates().Where(File.Exists)) PatchInPlace(library);
            _ready = true;
        }
    }

    public static IEnumerable<string> Candidates()
    {
        var baseDirectory = AppContext.BaseDirectory;
        yield return Path.Combine(baseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        yield return Path.Combine(baseDirectory, "libLibTorchSharp.so");
    }

    /// <summary>True when the libstdc++ this process loaded (the .NET runtime links it) provides <paramref name="version"/>.</summary>
    public static bool ProcessLibStdCxxHas(string version)
    {
        var path = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
            .FirstOrDefault(p => p is not null && Path.GetFileName(p).StartsWith("libstdc++.so", StringComparison.Ordinal));
        if (path is null || !File.Exists(path)) return true;
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        return File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0;
    }

    public static bool PatchInPlace(string library)
    {
        var bytes = File.ReadAllBytes(library);
        if (!ElfVersionNeeds.MakeWeak(bytes, MissingVersion)) return false;
        try
        {
            AtomicFile.WriteAllBytes(library, bytes);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(library, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            throw new PluginException($"TorchSharp needs {MissingVersion}, which this system's libstdc++ lacks, and {library} is read-only, so it cannot be fixed in place; run once with write access to it");
        }
    }
}
