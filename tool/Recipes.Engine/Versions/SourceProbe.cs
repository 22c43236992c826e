using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Recipes.Versions;

/// <summary>
/// Reads the Git commit and dirty flag of the repository holding a recipe, by running <c>git rev-parse HEAD</c> and
/// <c>git status --porcelain</c> in the recipe's folder. Informational only: no Git, no repository, a slow or failing
/// Git (a huge tree, an unsafe owner) all give null, never an error, and nothing read here enters an action key.
/// </summary>
public static class SourceProbe
{
    /// <summary>Each git call is given this long; a build does not wait on a network file system's stat storm.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    /// <summary>More output than this from git is not read (a commit id is 40 or 64 hex digits; status only needs one line).</summary>
    private const int MaxOutput = 4096;

    /// <param name="recipePath">The recipe file; git runs in its folder.</param>
    /// <param name="ownDirectories">
    /// Folders the tool writes itself (the cache, out/): when they sit inside the repository untracked, they would make
    /// every tree dirty after the first build, so they are left out of the check.
    /// </param>
    public static SourceState? Read(string recipePath, params IEnumerable<string> ownDirectories)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(recipePath));
        if (directory is null || !Directory.Exists(directory)) return null;
        if (Git(directory, ["rev-parse", "--verify", "HEAD"]) is not { } head) return null;
        var commit = head.Trim();
        if (commit.Length is not (40 or 64) || !commit.All(char.IsAsciiHexDigitLower)) return null;
        // ":/" is the whole tree, whichever folder of it the recipe is in; --no-optional-locks keeps status from
        // rewriting the index (another git command may hold its lock).
        var arguments = new List<string> { "--no-optional-locks", "status", "--porcelain", "--", ":/" };
        foreach (var own in ownDirectories)
        {
            var full = Path.GetFullPath(own);
            var relative = Path.GetRelativePath(directory, full);
            if (!Path.IsPathRooted(relative)) arguments.Add(":(exclude)" + relative.Replace('\\', '/'));
        }
        if (Git(directory, arguments) is not { } status) return null;
        return new SourceState(commit, status.Length > 0);
    }

    /// <summary>Git's stdout, or null when git is missing, fails, or does not finish in time.</summary>
    private static string? Git(string directory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        // The recipe's folder decides the repository, not a GIT_DIR a hook or a wrapper left in the environment.
        foreach (var name in new[] { "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES" }) start.Environment.Remove(name);
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_OPTIONAL_LOCKS"] = "0";
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            return null;
        }
        if (process is null) return null;
        using (process)
        {
            process.StandardInput.Close();
            var output = ReadBounded(process.StandardOutput);
            var errors = ReadBounded(process.StandardError);
            if (!process.WaitForExit(Limit))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It ended meanwhile.
                }
                return null;
            }
            _ = errors.Wait(Limit);
            return process.ExitCode == 0 && output.Wait(Limit) ? output.Result : null;
        }
    }

    /// <summary>Reads at most <see cref="MaxOutput"/> characters, then drains the rest unread so git is never blocked on a full pipe.</summary>
    private static async Task<string> ReadBounded(StreamReader reader)
    {
        var buffer = new char[MaxOutput];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(length))) > 0) length += read;
        var sink = new char[8192];
        while (await reader.ReadAsync(sink) > 0) { }
        return new string(buffer, 0, length);
    }
}
