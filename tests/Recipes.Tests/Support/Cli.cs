using System.Diagnostics;

namespace Recipes.Tests.Support;

/// <summary>Runs the built <c>recipes</c> tool as a separate process, as users and CI do.</summary>
public static class Cli
{
    public static string ToolPath => Path.Combine(AppContext.BaseDirectory, "recipes.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string LastLine => Stdout.TrimEnd().Split('\n').Last();
    }

    public static Result Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    public static Result Run(string workingDirectory, IDictionary<string, string>? environment, params string[] args) =>
        Run(workingDirectory, environment, TimeSpan.FromMinutes(10), args);

    public static Result Run(string workingDirectory, IDictionary<string, string>? environment, TimeSpan limit, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"recipes {string.Join(' ', args)} did not finish");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Starts the tool. Its SIGINT disposition is reset to the default first (coreutils' <c>env --default-signal</c>):
    /// a test runner started in the background passes "ignore SIGINT" on to its children, as shells do for background
    /// jobs, and a program that inherits that never sees Ctrl-C.
    /// </summary>
    public static Process Start(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/env")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(ToolPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["CI"] = "true";
        start.Environment.Remove("RECIPES_CACHE");
        if (environment is not null)
            foreach (var (k, v) in environment)
            {
                // An empty value removes the variable, so a test can run the tool as if it had never been set.
                if (v.Length == 0) start.Environment.Remove(k);
                else start.Environment[k] = v;
            }
        return Process.Start(start)!;
    }
}
