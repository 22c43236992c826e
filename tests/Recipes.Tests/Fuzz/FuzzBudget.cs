using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// How long each fuzz target runs, and the per-case contract every target shares (bounded time and allocation, no
/// unexpected exception). CI runs each target for a fixed number of cases from a fixed seed, so a failure reproduces;
/// a long run scales that up without a code change (docs/security.md, "Fuzz suite"):
/// <list type="bullet">
/// <item><c>RECIPES_FUZZ_SCALE</c>: multiplies every target's CI case count (default 1).</item>
/// <item><c>RECIPES_FUZZ_SECONDS</c>: runs each target for this many seconds instead of a case count.</item>
/// <item><c>RECIPES_FUZZ_SEED</c>: a CsCheck seed to start from (a failure prints the seed that reproduces it); unset, a
/// fixed seed per target in CI, a random one when <c>RECIPES_FUZZ_SECONDS</c> is set (a long run should explore).</item>
/// <item><c>RECIPES_FUZZ_LOG</c>: a file to which each target appends "target cases seconds" (the figures of a long run).</item>
/// </list>
/// </summary>
public static class FuzzBudget
{
    /// <summary>One case may take this long: every reader is bounded, so a case past it is a hang (a FIFO opened, an endless body buffered).</summary>
    public static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    /// <summary>What one case may allocate on its thread: the largest input a case builds is a few hundred KiB, so past this a reader buffered something unbounded.</summary>
    public const long CaseAllocationLimit = 512L << 20;

    private static readonly ConcurrentDictionary<string, long> Counts = new(StringComparer.Ordinal);

    private static double Scale => double.TryParse(Environment.GetEnvironmentVariable("RECIPES_FUZZ_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;

    private static int Seconds => int.TryParse(Environment.GetEnvironmentVariable("RECIPES_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : -1;

    /// <summary>
    /// Runs <paramref name="check"/> on cases from <paramref name="gen"/>: <paramref name="ciCases"/> in CI (scaled by the
    /// environment), each under <see cref="Within"/>. <paramref name="seed"/> is the target's fixed CI seed (a CsCheck
    /// seed string); <paramref name="threads"/> is 1 for targets that spawn processes or share a directory.
    /// </summary>
    public static void Run<T>(string target, Gen<T> gen, Action<T> check, int ciCases, string seed, int threads = -1, Func<T, string>? print = null)
    {
        var seconds = Seconds;
        var chosenSeed = Environment.GetEnvironmentVariable("RECIPES_FUZZ_SEED") is { Length: > 0 } fixedSeed ? fixedSeed : seconds > 0 ? null : seed;
        var iterations = seconds > 0 ? -1 : Math.Max(1, (int)Math.Round(ciCases * Scale));
        var clock = Stopwatch.StartNew();
        long cases = 0;
        var outcome = "ok";
        try
        {
            gen.Sample(value =>
            {
                Interlocked.Increment(ref cases);
                Within(() => check(value));
            }, seed: chosenSeed, iter: iterations, time: seconds, threads: threads, print: print);
        }
        catch
        {
            outcome = "FAILED";
            throw;
        }
        finally
        {
            // Logged on failure too: a long run's figures name every target, with the cases it ran (shrinking included).
            Counts.AddOrUpdate(target, cases, (_, c) => c + cases);
            if (Environment.GetEnvironmentVariable("RECIPES_FUZZ_LOG") is { Length: > 0 } log)
                lock (Counts)
                    File.AppendAllText(log, FormattableString.Invariant($"{target} {cases} {clock.Elapsed.TotalSeconds:0.0} {outcome}\n"));
        }
    }

    /// <summary>
    /// Runs one case on a thread of its own, joined with <see cref="CaseLimit"/> (a case that blocks fails instead of
    /// hanging the suite) and its allocations measured (a case that buffers an unbounded body fails).
    /// </summary>
    public static void Within(Action check)
    {
        Exception? thrown = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try { check(); }
            catch (Exception e) { thrown = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 16 << 20) { IsBackground = true };
        thread.Start();
        if (!thread.Join(CaseLimit)) throw new TimeoutException($"a case ran past {CaseLimit.TotalSeconds} s");
        if (thrown is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(thrown).Throw();
        if (allocated > CaseAllocationLimit) throw new InvalidOperationException($"a case allocated {allocated >> 20} MiB (limit {CaseAllocationLimit >> 20} MiB)");
    }
}
