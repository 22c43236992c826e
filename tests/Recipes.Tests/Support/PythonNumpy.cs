using System.Diagnostics;

namespace Recipes.Tests.Support;

/// <summary>
/// A Python 3 with numpy, to check that what the stages write opens in the tools users run. Candidates in order:
/// <c>RECIPES_PYTHON</c>, <c>python3</c> on the PATH, <c>/usr/bin/python3</c> (Debian's, where tests/setup/python.sh
/// installs python3-numpy); the first that imports numpy is used.
/// </summary>
public static class PythonNumpy
{
    private static readonly Lazy<string?> Found = new(() =>
        new[] { Environment.GetEnvironmentVariable("RECIPES_PYTHON"), "python3", "/usr/bin/python3" }
            .Where(c => !string.IsNullOrEmpty(c))
            .FirstOrDefault(c => TryRun(c!, "import numpy", out _, out _) == 0));

    public static string? SkipReason() =>
        Found.Value is null ? "no python3 with numpy (tests/setup/python.sh installs Debian's python3-numpy with apt)" : null;

    private static readonly Lazy<string?> FoundTorch = new(() =>
        new[] { Environment.GetEnvironmentVariable("RECIPES_PYTHON"), "/usr/bin/python3", "python3" }
            .Where(c => !string.IsNullOrEmpty(c))
            .FirstOrDefault(c => TryRun(c!, "import numpy, torch", out _, out _) == 0));

    /// <summary>A Python 3 that imports torch (Debian's python3-torch), for the PyTorch example's trainer; null where none does.</summary>
    public static string? WithTorch => FoundTorch.Value;

    public static string? TorchSkipReason() =>
        FoundTorch.Value is null ? "no python3 with torch (tests/setup/python.sh installs Debian's python3-torch with apt)" : null;

    private static readonly Lazy<string?> FoundH5py = new(() =>
        new[] { Environment.GetEnvironmentVariable("RECIPES_PYTHON"), "/usr/bin/python3", "python3" }
            .Where(c => !string.IsNullOrEmpty(c))
            .FirstOrDefault(c => TryRun(c!, "import numpy, h5py", out _, out _) == 0));

    /// <summary>A Python 3 that imports h5py (Debian's python3-h5py), the reader LagrangeBench loads its HDF5 files with.</summary>
    public static string? WithH5py => FoundH5py.Value;

    public static string? H5pySkipReason() =>
        FoundH5py.Value is null ? "no python3 with h5py (tests/setup/python.sh installs Debian's python3-h5py with apt)" : null;

    private static readonly Lazy<string?> FoundProv = new(() =>
        new[] { Environment.GetEnvironmentVariable("RECIPES_PYTHON"), "/usr/bin/python3", "python3" }
            .Where(c => !string.IsNullOrEmpty(c))
            .FirstOrDefault(c => TryRun(c!, "import prov.model", out _, out _) == 0));

    /// <summary>A Python 3 that imports prov (Debian's python3-prov), the independent reader of PROV-JSON; null where none does.</summary>
    public static string? WithProv => FoundProv.Value;

    public static string? ProvSkipReason() =>
        FoundProv.Value is null ? "no python3 with prov (tests/setup/python.sh installs Debian's python3-prov with apt)" : null;

    /// <summary>Runs <paramref name="script"/> (given on stdin) with the arguments; returns stdout, failing with stderr on a non-zero exit.</summary>
    public static string Run(string script, params string[] arguments) =>
        RunWith(Found.Value ?? throw new InvalidOperationException(SkipReason()), script, arguments);

    /// <summary>As <see cref="Run"/>, with a chosen interpreter (<see cref="WithTorch"/>).</summary>
    public static string RunWith(string python, string script, params string[] arguments)
    {
        var exit = TryRun(python, script, out var output, out var error, arguments);
        Assert.True(exit == 0, $"python exited with {exit}:\n{error}");
        return output;
    }

    private static int TryRun(string python, string script, out string output, out string error, params string[] arguments)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            (output, error) = ("", e.Message);
            return -1;
        }
        using (process)
        {
            process.StandardInput.Write(script);
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync();
            output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            error = stderr.Result;
            return process.ExitCode;
        }
    }
}

/// <summary>A test that needs Python 3 with numpy: skipped, saying why, where neither is installed.</summary>
public sealed class PythonNumpyFactAttribute : FactAttribute
{
    public PythonNumpyFactAttribute()
    {
        if (PythonNumpy.SkipReason() is { } reason) Skip = reason;
    }
}

/// <summary>A test that needs Python 3 with h5py: skipped, saying why, where it is not installed.</summary>
public sealed class PythonH5pyFactAttribute : FactAttribute
{
    public PythonH5pyFactAttribute()
    {
        if (PythonNumpy.H5pySkipReason() is { } reason) Skip = reason;
    }
}
