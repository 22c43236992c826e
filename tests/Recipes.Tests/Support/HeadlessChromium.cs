using System.Diagnostics;

namespace Recipes.Tests.Support;

/// <summary>Debian's chromium, headless, as the report tests' real browser (installed by tests/setup/chromium.sh).</summary>
public static class HeadlessChromium
{
    public sealed record Page(string Screenshot, IReadOnlyList<string> ConsoleMessages, string Log);

    public static string? Executable { get; } = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium" }.FirstOrDefault(File.Exists);

    public static string? SkipReason() => Executable is null ? "chromium is not installed (tests/setup/chromium.sh installs it)" : null;

    /// <summary>
    /// Opens <paramref name="htmlFile"/> with no network and takes a screenshot. Every message the page writes to its
    /// console (errors, failed loads, uncaught exceptions) comes back: chromium logs them as <c>CONSOLE</c> lines.
    /// </summary>
    public static Page Open(string htmlFile, int width, int height)
    {
        var directory = Path.Combine(Path.GetTempPath(), "recipes-tests", "chromium-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var screenshot = Path.Combine(directory, "screenshot.png");
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException(SkipReason()))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            // No network: a self-contained page needs none, and any attempt shows up as a console error.
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--enable-logging=stderr", "--v=0", $"--user-data-dir={Path.Combine(directory, "profile")}",
            $"--window-size={width},{height}", $"--screenshot={screenshot}", new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri,
        })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish");
        }
        var log = stdout.Result + stderr.Result;
        var console = log.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
        return new Page(screenshot, console, log);
    }
}
