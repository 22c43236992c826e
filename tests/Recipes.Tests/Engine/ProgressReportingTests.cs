using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Plugins;
using Recipes.Registry;
using Recipes.Reporting;
using Recipes.Cli;
using Recipes.Tests.Support;

namespace Recipes.Tests.Engine;

/// <summary>
/// Long nodes tell how far they are (JSON progress events, bounded in rate, with UTC timestamps), and native libraries'
/// stderr lands in the running node's log rather than on the terminal.
/// </summary>
[Collection(NativeStderrCollection.Name)]
public sealed class ProgressReportingTests
{
    /// <summary>Keeps the exec solver's name and version, and reports progress <c>reports</c> times over <c>duration</c>.</summary>
    private sealed class ReportingSolver(IStagePlugin inner, int reports, TimeSpan duration, string? nativeLine = null) : WrappedSolver(inner)
    {
        public override async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
        {
            if (nativeLine is not null)
            {
                WriteNative(nativeLine + "\n");
                // The copy into the log runs on the capture's reader thread; a native library keeps running after it warns.
                await Task.Delay(300, cancellationToken);
                throw new PluginException("stopped after writing to native stderr");
            }
            for (var k = 1; k <= reports; k++)
            {
                context.Progress?.Report((double)k / reports);
                await Task.Delay(duration / reports, cancellationToken);
            }
            await Inner.RunAsync(context, cancellationToken);
        }
    }

    private static Workspace WithSolver(Func<IStagePlugin, IStagePlugin> wrap)
    {
        var ws = new Workspace();
        SampleRecipes.Sweep(ws, space: "a: { choice: [1] }\n    b: { choice: [x] }");
        var registry = new PluginRegistry();
        foreach (var plugin in BuiltinPlugins.Create().All)
            registry.Register(plugin.Name == "exec" ? wrap(plugin) : plugin, isDefault: plugin.Name == "exec");
        ws.Registry = registry;
        return ws;
    }

    [Fact]
    public void JsonProgressEventsCarryFractionsAndUtcTimesAtMostTwiceASecond()
    {
        using var ws = WithSolver(p => new ReportingSolver(p, 300, TimeSpan.FromSeconds(1.6)));
        var output = new StringWriter();
        ws.Reporter = new JsonEventReporter(output);
        var before = DateTime.UtcNow.AddSeconds(-1);
        var result = ws.Build();
        BuildAssert.NoFailures(result);

        var events = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        // Every event carries an absolute UTC time in ISO 8601, within this test's run.
        Assert.All(events, e =>
        {
            var utc = DateTime.Parse(e["utc"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.InRange(utc, before, DateTime.UtcNow.AddSeconds(1));
            Assert.EndsWith("Z", e["utc"]!.GetValue<string>(), StringComparison.Ordinal);
        });
        var progress = events.Where(e => e["event"]!.GetValue<string>() == "progress").ToList();
        Assert.NotEmpty(progress);
        foreach (var node in progress.GroupBy(e => e["node"]!.GetValue<string>()))
        {
            var times = node.Select(e => e["time"]!.GetValue<double>()).ToList();
            // 300 reports over a few seconds become a handful of events, at least 0.5 s apart.
            Assert.InRange(times.Count, 2, 20);
            for (var k = 1; k < times.Count; k++) Assert.True(times[k] - times[k - 1] >= 0.49, $"{times[k - 1]} then {times[k]}");
            var fractions = node.Select(e => e["fraction"]!.GetValue<double>()).ToList();
            Assert.All(fractions, f => Assert.InRange(f, 0, 1));
            Assert.Equal(fractions.Order(), fractions);
        }
        // No progress event after a node's finished event.
        var finished = events.FindIndex(e => e["event"]!.GetValue<string>() == "finished" && e["stage"]!.GetValue<string>() == StageNames.Simulate);
        Assert.DoesNotContain(events.Skip(finished + 1), e => e["event"]!.GetValue<string>() == "progress" && e["stage"]!.GetValue<string>() == StageNames.Simulate);
    }

    [Fact]
    public void TerminalBarsCountRunningNodesFractions()
    {
        using var ws = WithSolver(p => new ReportingSolver(p, 4, TimeSpan.FromMilliseconds(40)));
        var graph = Recipes.Graph.GraphPlanner.Plan(ws.Load());
        var reporter = new TerminalReporter();
        reporter.Planned(graph);
        var node = graph.Nodes.First(n => n.StageName == StageNames.Simulate);
        reporter.Started(node);
        reporter.Progress(node, 0.25);
        Assert.Equal(0.25, reporter.StageValue(StageNames.Simulate), 6);
    }

    [Fact]
    public void NativeStderrGoesToTheAttachedLogAndNotToTheProcessStderr()
    {
        var file = Path.GetTempFileName();
        var original = Dup(2);
        var target = Open(file, 0x41 /* O_WRONLY | O_CREAT */, 0x180);
        Assert.True(Dup2(target, 2) >= 0);
        _ = Close(target);
        var log = new StringWriter();
        var unclaimed = new List<string>();
        try
        {
            using (var capture = NativeStderr.Start(line => { lock (unclaimed) unclaimed.Add(line); }))
            {
                Assert.NotNull(capture);
                using (NativeStderr.Attach(TextWriter.Synchronized(log)))
                {
                    WriteNative("[W NNPACK.cpp:56] Could not initialize NNPACK! Reason: Unsupported hardware.\n");
                    Thread.Sleep(300);
                }
                capture.Terminal.WriteLine("live display text");
            }
        }
        finally
        {
            _ = Dup2(original, 2);
            _ = Close(original);
        }
        Assert.Contains("[native stderr] [W NNPACK.cpp:56] Could not initialize NNPACK!", log.ToString(), StringComparison.Ordinal);
        var stderr = File.ReadAllText(file);
        File.Delete(file);
        Assert.DoesNotContain("NNPACK", stderr, StringComparison.Ordinal);
        // The live display itself still reaches the real stderr.
        Assert.Contains("live display text", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void NativeStderrWrittenDuringABuildEndsInTheNodesLog()
    {
        using var ws = WithSolver(p => new ReportingSolver(p, 0, TimeSpan.Zero, nativeLine: "native warning from a plug-in"));
        var output = new StringWriter();
        ws.Reporter = new JsonEventReporter(output);
        var file = Path.GetTempFileName();
        var original = Dup(2);
        var target = Open(file, 0x41, 0x180);
        _ = Dup2(target, 2);
        _ = Close(target);
        try
        {
            using var capture = NativeStderr.Start(_ => { });
            ws.Build();
        }
        finally
        {
            _ = Dup2(original, 2);
            _ = Close(original);
        }
        var failed = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject())
            .Single(e => e["event"]!.GetValue<string>() == "failed");
        Assert.Contains("native warning from a plug-in", failed["log_tail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("native warning from a plug-in", File.ReadAllText(file), StringComparison.Ordinal);
        File.Delete(file);
    }

    private static void WriteNative(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(bytes.Length, (int)Write(2, bytes, bytes.Length));
    }

    [DllImport("libc", EntryPoint = "write")]
    private static extern nint Write(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "dup")]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2")]
    private static extern int Dup2(int from, int to);

    [DllImport("libc", EntryPoint = "open", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Open(string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
