using System.Diagnostics;

namespace Recipes.Tests.Support;

/// <summary>A tmpfs of a few kilobytes mounted for one test, to run out of disk space on purpose; needs root.</summary>
public sealed class SmallDisk : IDisposable
{
    public SmallDisk(int kilobytes)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "recipes-small-disk-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", Path) != 0)
            throw new InvalidOperationException($"could not mount a tmpfs at {Path}");
    }

    public string Path { get; }

    public static string? SkipReason() =>
        Environment.UserName != "root" || !File.Exists("/usr/bin/mount") && !File.Exists("/bin/mount")
            ? "needs root and mount to make a small tmpfs"
            : null;

    private static int Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
