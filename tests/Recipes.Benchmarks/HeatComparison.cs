using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Solvers.Gpu;
using Recipes.Solvers.Heat2d;
using Recipes.Solvers.Tests.Heat2d;

namespace Recipes.Benchmarks;

/// <summary>
/// The heat2d cases of <see cref="HeatSolverBenchmarks"/> timed with a stopwatch in one run, beside SciPy's sparse
/// direct solve of the same problems when Debian's python3 has scipy (scripts/heat_spsolve.py), with the ratios the
/// benchmark page reports. Each case warms up for 0.3 s, then runs in rounds of at least 50 ms; machines here are
/// shared and noisy, so the fastest round gives the time per solve (what the code costs), and so does the script.
/// </summary>
public static class HeatComparison
{
    private const string Python = "/usr/bin/python3";

    private sealed record Row(string Case, double Seconds);

    public static void Run(int parallelCount)
    {
        var small = HeatSolverBenchmarks.Problem(32, 1);
        var reference = HeatSolverBenchmarks.Problem(64, 2);
        var batch = Enumerable.Range(0, 16).Select(k => HeatSolverBenchmarks.Problem(64, 10 + k)).ToList();
        var many = Enumerable.Range(0, parallelCount).Select(k => HeatSolverBenchmarks.Problem(64, 1000 + k)).ToList();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {CpuName()}, .NET {Environment.Version}");
        var rows = new List<Row>
        {
            new("dense direct 32^2", Time(() => DirectSolver.Solve(small))),
            new("dense direct 64^2", Time(() => DirectSolver.Solve(reference), minimumRounds: 3)),
            new("SOR 32^2, single", Time(() => SorSolver.Solve(small))),
            new("SOR 64^2, single", Time(() => SorSolver.Solve(reference))),
            new("SOR 64^2, batch of 16 over all cores", Time(() => SorSolver.SolveBatch(Devices.CpuBatch, batch)) / batch.Count),
            new("multigrid 32^2, single", Time(() => MultigridSolver.Solve(small))),
            new("multigrid 64^2, single", Time(() => MultigridSolver.Solve(reference))),
            new($"multigrid 64^2, {many.Count} in parallel over all cores", Time(() => HeatSolverBenchmarks.MultigridParallel(many)) / many.Count),
        };
        var mg = MultigridSolver.Solve(reference);
        var sor = SorSolver.Solve(reference);
        Console.WriteLine($"64^2 (seed 2): multigrid {mg.Iterations} cycles, residual {mg.Residual:E2}; SOR {sor.Iterations} sweeps, residual {sor.Residual:E2}; " +
                          $"max |multigrid - SOR| {mg.Field.Zip(sor.Field, (a, b) => Math.Abs(a - b)).Max():E2}");
        rows.AddRange(SciPy([small, reference, .. batch]));

        var dense64 = rows.Single(r => r.Case == "dense direct 64^2").Seconds;
        var dense32 = rows.Single(r => r.Case == "dense direct 32^2").Seconds;
        Console.WriteLine();
        Console.WriteLine("| case | time per steady state | steady states / s | dense direct, same size, ÷ this |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        foreach (var row in rows)
        {
            var dense = row.Case.Contains("32^2", StringComparison.Ordinal) ? dense32 : dense64;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Case} | {Milliseconds(row.Seconds)} | {1 / row.Seconds:N0} | {dense / row.Seconds:N1} |"));
        }
    }

    private static string Milliseconds(double seconds) => seconds >= 0.1
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:N0} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:0.000} ms");

    /// <summary>Seconds per call in the fastest of several rounds of at least 50 ms (at least <paramref name="minimumRounds"/>, about a second in all).</summary>
    private static double Time(Action action, int minimumRounds = 7)
    {
        // Warm up for a third of a second, so the JIT has compiled the loops at full optimisation (tier 1).
        var clock = Stopwatch.StartNew();
        var calls = 0;
        while (calls < 2 || clock.Elapsed.TotalSeconds < 0.3)
        {
            action();
            calls++;
        }
        var once = Math.Max(clock.Elapsed.TotalSeconds / calls, 1e-7);
        var perRound = (int)Math.Max(1, Math.Ceiling(0.05 / once));
        var rounds = Math.Max(minimumRounds, (int)Math.Min(15, 1.0 / (perRound * once)));
        var times = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            clock.Restart();
            for (var k = 0; k < perRound; k++) action();
            times.Add(clock.Elapsed.TotalSeconds / perRound);
        }
        return times.Min();
    }

    /// <summary>Runs scripts/heat_spsolve.py on the same problems (with the multigrid answers to compare against); none when scipy is missing.</summary>
    private static IEnumerable<Row> SciPy(IReadOnlyList<HeatProblem> problems)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "scripts", "heat_spsolve.py");
        if (!File.Exists(Python) || !Probe("import scipy"))
        {
            Console.WriteLine($"{Python} has no scipy (apt-get install python3-scipy): no SciPy baseline");
            return [];
        }
        var input = Path.Combine(Path.GetTempPath(), $"heat-problems-{Environment.ProcessId}.json");
        try
        {
            var list = new JsonArray();
            foreach (var p in problems)
                list.Add(new JsonObject
                {
                    ["size"] = p.Size,
                    ["held"] = new JsonArray([.. p.Held.Select(h => (JsonNode?)(h ? 1 : 0))]),
                    ["values"] = new JsonArray([.. p.Values.Select(v => (JsonNode?)v)]),
                    ["reference"] = new JsonArray([.. MultigridSolver.Solve(p).Field.Select(v => (JsonNode?)v)]),
                });
            File.WriteAllText(input, list.ToJsonString());
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(input);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"heat_spsolve.py failed: {stderr}");
            var rows = new List<Row>();
            foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var result = JsonNode.Parse(line)!;
                var size = result["size"]!.GetValue<int>();
                Console.WriteLine($"SciPy {result["scipy"]} spsolve {size}^2: {result["solves"]} solves, max |spsolve - multigrid| {result["max_difference"]!.GetValue<double>():E2}, max residual {result["max_residual"]!.GetValue<double>():E2}");
                rows.Add(new Row($"SciPy spsolve {size}^2 (SuperLU, assembly not timed)", result["best_seconds"]!.GetValue<double>()));
            }
            return rows;
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static bool Probe(string code)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(code);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    private static string CpuName() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
}
