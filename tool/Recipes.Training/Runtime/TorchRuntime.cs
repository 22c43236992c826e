using Recipes.Plugins.Files;
using System.Text;
using Recipes.Plugins;

namespace Recipes.Training;

/// <summary>
/// Makes TorchSharp loadable before first use. TorchSharp 0.107's <c>libLibTorchSharp.so</c> asks for
/// GLIBCXX_3.4.32 (GCC 13) for one marker symbol; where the process's libstdc++ lacks that version (Debian 12 ships
/// GCC 12's), the requirement is marked weak in place, once, atomically. Where libstdc++ has it, nothing is touched.
/// libtorch itself (about 600 MB) ships with builds from source; the tool package leaves it out and this class loads it
/// from the NuGet packages folder instead (<c>recipes setup torch</c> restores it there).
/// </summary>
public static class TorchRuntime
{
    public const string MissingVersion = "GLIBCXX_3.4.32";

    /// <summary>The libtorch build TorchSharp 0.107 needs; must match Directory.Packages.props (a test checks).</summary>
    public const string LibTorchPackage = "libtorch-cpu-linux-x64";
    public const string LibTorchVersion = "2.10.0";

    /// <summary>libtorch's libraries in dependency order, so each finds the previous ones already loaded.</summary>
    private static readonly string[] LibTorchLibraries = ["libgomp-*.so.1", "libc10.so", "libtorch_cpu.so", "libtorch.so"];
    private static readonly Lock Gate = new();
    private static bool _ready;

    public static void EnsureLoadable()
    {
        lock (Gate)
        {
            if (_ready) return;
            if (OperatingSystem.IsLinux() && !ProcessLibStdCxxHas(MissingVersion))
                foreach (var library in Candidates().Where(File.Exists)) PatchInPlace(library);
            if (OperatingSystem.IsLinux() && !Bundled()) PreloadFrom(PackagedLibTorch());
            _ready = true;
        }
    }

    private static bool Bundled() =>
        File.Exists(Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so")) ||
        File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cpu.so"));

    public static string PackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public static string PackagedLibTorchDirectory() =>
        Path.Combine(PackagesFolder(), LibTorchPackage, LibTorchVersion, "runtimes", "linux-x64", "native");

    private static string PackagedLibTorch()
    {
        var directory = PackagedLibTorchDirectory();
        if (File.Exists(Path.Combine(directory, "libtorch_cpu.so"))) return directory;
        throw new PluginException($"training needs libtorch ({LibTorchPackage} {LibTorchVersion}, about 600 MB), which the tool package does not bundle; run 'recipes setup torch' once to restore it into {PackagesFolder()}");
    }

    /// <summary>Loads libtorch by full path, so TorchSharp's own lookup by name finds it already in the process.</summary>
    private static void PreloadFrom(string directory)
    {
        foreach (var pattern in LibTorchLibraries)
            foreach (var library in Directory.EnumerateFiles(directory, pattern))
                System.Runtime.InteropServices.NativeLibrary.Load(library);
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
