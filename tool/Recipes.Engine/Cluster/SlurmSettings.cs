using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Cluster;

/// <summary>
/// How stale nodes go to Slurm: the sbatch options of every array task, how many tasks may run at once, how nodes are
/// packed into tasks, how the task runs the tool, and how often failed tasks are resubmitted. From the recipe's
/// <c>execution.slurm</c>, over the <c>slurm</c> block of <c>.recipes.json</c> (or the user config).
/// </summary>
public sealed record SlurmSettings
{
    public string? Partition { get; init; }
    public string? Account { get; init; }
    public string? Qos { get; init; }
    public string Time { get; init; } = "01:00:00";
    public int? Cpus { get; init; }
    public string? Memory { get; init; }
    public int Gpus { get; init; }
    public IReadOnlyList<string> Extra { get; init; } = [];

    /// <summary>At most this many array tasks of one job run at once (sbatch --array=...%N); 0 for no limit.</summary>
    public int Throttle { get; init; }

    /// <summary>Nodes are packed into one task up to about this many seconds of expected work.</summary>
    public double PackSeconds { get; init; } = 60;

    /// <summary>Expected seconds of a node that never ran before (its earlier runs give better estimates).</summary>
    public double DefaultSeconds { get; init; } = 10;

    /// <summary>How a task runs the tool, e.g. <c>dotnet tool run recipes</c> or a path; default: this very tool.</summary>
    public string? Command { get; init; }

    public int Retries { get; init; } = 2;
    public double PollSeconds { get; init; } = 1;

    public static SlurmSettings From(ValueMap? config, ValueMap? recipe)
    {
        var merged = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var source in new[] { config, recipe })
            if (source is not null)
                foreach (var (k, v) in source.Entries) merged[k] = v;
        var map = new ValueMap(merged);
        string? Text(string key) => map.Contains(key) ? map.GetString(key) : null;
        return new SlurmSettings
        {
            Partition = Text("partition"),
            Account = Text("account"),
            Qos = Text("qos"),
            Time = Text("time") ?? "01:00:00",
            Cpus = map.Contains("cpus") ? map.GetInt("cpus") : null,
            Memory = Text("mem"),
            Gpus = map.GetInt("gpus", 0),
            Extra = map.GetStrings("extra", []),
            Throttle = map.GetInt("throttle", 0),
            PackSeconds = Finite(map, "pack_seconds", 60),
            DefaultSeconds = Finite(map, "default_seconds", 10),
            Command = Text("command"),
            Retries = map.GetInt("retries", 2),
            PollSeconds = Finite(map, "poll_seconds", 1),
        };
    }

    /// <summary>
    /// A number of seconds that is finite: .recipes.json is read as JSON, where 1e999 parses as infinity, and an infinite
    /// poll or packing time would never end (found by the fuzz suite). The CLI prints this as "error: slurm settings: ...", exit 2.
    /// </summary>
    private static double Finite(ValueMap map, string key, double fallback)
    {
        var value = map.GetDouble(key, fallback);
        return double.IsFinite(value) ? value : throw new FormatException($"slurm.{key} must be a finite number of seconds, not {value.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The #SBATCH lines for one array job.</summary>
    public IEnumerable<string> Directives(int tasks, int threads, string output, string name)
    {
        yield return $"#SBATCH --job-name={name}";
        yield return $"#SBATCH --array=0-{tasks - 1}{(Throttle > 0 ? "%" + Throttle.ToString(CultureInfo.InvariantCulture) : "")}";
        yield return $"#SBATCH --output={output}";
        yield return $"#SBATCH --time={Time}";
        yield return $"#SBATCH --cpus-per-task={Cpus ?? threads}";
        if (Partition is not null) yield return $"#SBATCH --partition={Partition}";
        if (Account is not null) yield return $"#SBATCH --account={Account}";
        if (Qos is not null) yield return $"#SBATCH --qos={Qos}";
        if (Memory is not null) yield return $"#SBATCH --mem={Memory}";
        if (Gpus > 0) yield return $"#SBATCH --gpus-per-task={Gpus}";
        foreach (var flag in Extra) yield return $"#SBATCH {flag}";
    }
}
