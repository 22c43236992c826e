using System.Diagnostics;
using System.Globalization;

namespace Recipes.Tests.Support;

/// <summary>
/// A one-node Slurm on this machine for the cluster-executor tests: Debian's slurmctld and slurmd (tests/setup/slurm.sh
/// installs them) with a configuration written here, bound to 127.0.0.1 on free ports, its state in a temporary
/// directory, and munged started if it is not running. Disposing cancels every job of this cluster, stops the daemons
/// (and munged, if started here) and removes the directory.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    private readonly List<Process> _daemons = [];
    private readonly bool _startedMunge;

    public SlurmCluster()
    {
        if (SkipReason() is not null) return;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Root = Path.Combine(Path.GetTempPath(), "recipes-slurm", Guid.NewGuid().ToString("N")[..10]);
        foreach (var dir in new[] { "state", "spool", "log" }) Directory.CreateDirectory(Path.Combine(Root, dir));
        _startedMunge = EnsureMunge();
        ConfigPath = Path.Combine(Root, "slurm.conf");
        var cpus = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(ConfigPath, $"""
            ClusterName=recipes-tests
            SlurmctldHost=localhost(127.0.0.1)
            SlurmctldPort={NginxServer.FreePort()}
            SlurmdPort={NginxServer.FreePort()}
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            AccountingStorageType=accounting_storage/none
            JobAcctGatherType=jobacct_gather/none
            StateSaveLocation={Root}/state
            SlurmdSpoolDir={Root}/spool
            SlurmctldPidFile={Root}/slurmctld.pid
            SlurmdPidFile={Root}/slurmd.pid
            SlurmctldLogFile={Root}/log/slurmctld.log
            SlurmdLogFile={Root}/log/slurmd.log
            ReturnToService=2
            MpiDefault=none
            MinJobAge=30
            NodeName=localhost NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
            PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP

            """);
        _daemons.Add(Daemon("/usr/sbin/slurmctld", "-D", "-c", "-f", ConfigPath));
        _daemons.Add(Daemon("/usr/sbin/slurmd", "-D", "-N", "localhost", "-f", ConfigPath));
        WaitUntilIdle();
        FixtureClock.Record("one-node Slurm started", clock.Elapsed.TotalSeconds);
    }

    public string Root { get; } = "";
    public string ConfigPath { get; } = "";

    /// <summary>What the Slurm clients (sbatch, squeue, scancel) of a tool process need to find this cluster.</summary>
    public IDictionary<string, string> ClientEnvironment => new Dictionary<string, string> { ["SLURM_CONF"] = ConfigPath };

    public static string? SkipReason()
    {
        foreach (var binary in new[] { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch", "/usr/bin/squeue" })
            if (!File.Exists(binary)) return $"Slurm is not installed ({binary} missing; tests/setup/slurm.sh installs Debian's slurmctld, slurmd, slurm-client and munge)";
        if (Environment.UserName != "root") return "starting slurmd and munged needs root; run the tests as root (as CI does) to cover the Slurm executor";
        return null;
    }

    /// <summary>Runs a Slurm client command against this cluster.</summary>
    public (int ExitCode, string Stdout) Client(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["SLURM_CONF"] = ConfigPath;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout);
    }

    /// <summary>Job ids (array tasks expanded) in the queue, with their names.</summary>
    public IReadOnlyList<(string Id, string Name, string State)> Queue() =>
        Client("/usr/bin/squeue", "-h", "-r", "-o", "%i|%j|%T").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('|')).Where(f => f.Length == 3).Select(f => (f[0].Trim(), f[1].Trim(), f[2].Trim())).ToList();

    private static bool EnsureMunge()
    {
        if (Run("/usr/bin/pgrep", "-x", "munged") == 0) return false;
        if (!File.Exists("/etc/munge/munge.key")) Run("/usr/sbin/runuser", "-u", "munge", "--", "/usr/sbin/mungekey", "--create");
        Directory.CreateDirectory("/run/munge");
        Run("/usr/bin/chown", "munge:munge", "/run/munge");
        if (Run("/usr/sbin/runuser", "-u", "munge", "--", "/usr/sbin/munged") != 0)
            throw new InvalidOperationException("munged did not start; see /var/log/munge/munged.log");
        return true;
    }

    /// <summary>Runs a program to its end with its output drained; its exit code.</summary>
    public static int Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }

    private static Process Daemon(string program, params string[] args)
    {
        // The daemons log to files (slurm.conf); their own stdout and stderr go nowhere, so no pipe can fill up.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >/dev/null 2>&1");
        start.ArgumentList.Add(program);
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    private void WaitUntilIdle()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_daemons.Any(d => d.HasExited))
                throw new InvalidOperationException("a Slurm daemon exited at start: " + string.Join("\n", Directory.EnumerateFiles(Path.Combine(Root, "log")).Select(File.ReadAllText)));
            var (code, stdout) = Client("/usr/bin/sinfo", "-h", "-o", "%T");
            if (code == 0 && stdout.Trim() == "idle") return;
            Thread.Sleep(250);
        }
        throw new TimeoutException("the test Slurm node did not become idle in 60 s");
    }

    public void Dispose()
    {
        if (ConfigPath.Length == 0) return;
        var jobs = Queue().Select(j => j.Id).ToArray();
        if (jobs.Length > 0) Client("/usr/bin/scancel", jobs);
        var clock = Stopwatch.StartNew();
        while (Queue().Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(250);
        foreach (var daemon in _daemons)
        {
            if (!daemon.HasExited)
            {
                Run("/bin/kill", "-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture));
                if (!daemon.WaitForExit(TimeSpan.FromSeconds(15))) daemon.Kill(entireProcessTree: true);
            }
            daemon.Dispose();
        }
        if (_startedMunge) Run("/usr/bin/pkill", "-x", "munged");
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
