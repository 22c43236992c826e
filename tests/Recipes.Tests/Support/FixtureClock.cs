using System.Diagnostics;
using System.Globalization;

namespace Recipes.Tests.Support;

/// <summary>
/// Times the work a test run does outside any one test (class and collection fixtures, artifacts built once per run):
/// a test report's per-test durations leave it out, so tests/run.sh --timings would not show it. Each measurement is
/// appended as one line to the file named by <c>RECIPES_TEST_TIMINGS</c> (tests/run.sh sets it); without it, nothing
/// is written.
/// </summary>
public static class FixtureClock
{
    private static readonly Lock Gate = new();

    public static T Measure<T>(string name, Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return work();
        }
        finally
        {
            Record(name, clock.Elapsed.TotalSeconds);
        }
    }

    public static void Measure(string name, Action work) => Measure<object?>(name, () =>
    {
        work();
        return null;
    });

    /// <summary>Records work timed by the caller (a constructor that cannot wrap itself in <see cref="Measure{T}"/>).</summary>
    public static void Record(string name, double seconds)
    {
        var path = Environment.GetEnvironmentVariable("RECIPES_TEST_TIMINGS");
        if (string.IsNullOrEmpty(path)) return;
        var line = string.Create(CultureInfo.InvariantCulture, $"fixture\t{name.Replace('\t', ' ')}\t{seconds:0.000}\n");
        lock (Gate)
        {
            try
            {
                File.AppendAllText(path, line);
            }
            catch (IOException)
            {
                // A timing that cannot be written must not fail the tests it describes.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
