using System.Diagnostics;

namespace Recipes.Cluster;

/// <summary>The Slurm client commands, run as processes (sbatch, squeue, scancel); SLURM_CONF and the like pass through.</summary>
public static class SlurmCommands
{
    public sealed record Output(int ExitCode, string Stdout, string Stderr);

    public static async Task<Output> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new Output(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Idle CPUs of the partition tasks go to (the named one, else the default, which sinfo marks with '*'), from
    /// sinfo's allocated/idle/other/total column; 0 when unknown.
    /// </summary>
    public static async Task<int> IdleCpusAsync(string? partition)
    {
        var arguments = new List<string> { "-h", "-o", "%P %C" };
        if (partition is not null) arguments.AddRange(["-p", partition]);
        var result = await RunAsync("sinfo", arguments);
        if (result.ExitCode != 0) return 0;
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2 || (partition is null && !fields[0].EndsWith('*'))) continue;
            var counts = fields[1].Split('/');
            if (counts.Length == 4 && int.TryParse(counts[1], System.Globalization.CultureInfo.InvariantCulture, out var idle)) return idle;
        }
        return 0;
    }

    public static bool Available() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "sbatch")));
}
