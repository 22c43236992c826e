using System.Diagnostics;
using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Cli;

/// <summary>Acceptance 4 and the crash-safety contract: kill -9, Ctrl-C and concurrent builds corrupt nothing.</summary>
public sealed class CrashSafetyTests
{
    private static void SlowSweep(Workspace ws) =>
        SampleRecipes.Sweep(ws, space: "a: { int: [1, 16] }\n    b: { choice: [x] }",
            command: "sleep 0.4; cat input.txt > out.txt; echo \"{\\\"v\\\": 1}\" > result.json");

    private static int Entries(Workspace ws) => StoredEntries.Count(ws.CacheDir);

    private static void WaitForEntries(Workspace ws, int count, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (Entries(ws) < count)
        {
            Assert.False(process.HasExited, "the build ended before it could be interrupted");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the build made no progress");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public void KillNineMidBuildLosesNoFinishedNodeAndTheNextBuildCompletes()
    {
        using var ws = new Workspace();
        SlowSweep(ws);
        using var process = Support.Cli.Start(ws.Root, null, "build", "recipe.yaml", "--jobs", "2");
        WaitForEntries(ws, 10, process);
        process.Kill(entireProcessTree: false);
        process.WaitForExit();
        var finishedBeforeKill = Entries(ws);

        var verify = Support.Cli.Run(ws.Root, "cache", "verify", "--json");
        Assert.Equal(0, verify.ExitCode);
        Assert.True(JsonNode.Parse(verify.LastLine)!["clean"]!.GetValue<bool>());

        var resumed = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--json");
        Assert.Equal(0, resumed.ExitCode);
        var summary = JsonNode.Parse(resumed.LastLine)!;
        Assert.True(summary["cached"]!.GetValue<int>() >= finishedBeforeKill, $"{summary["cached"]} cached < {finishedBeforeKill} finished before the kill");
        Assert.Equal(33, summary["cached"]!.GetValue<int>() + summary["executed"]!.GetValue<int>());

        var after = Support.Cli.Run(ws.Root, "cache", "verify", "--repair", "--json");
        Assert.True(JsonNode.Parse(after.LastLine)!["clean"]!.GetValue<bool>());
    }

    [Fact]
    public void InterruptStopsCleanlyWithExitCode130AndResumes()
    {
        using var ws = new Workspace();
        SlowSweep(ws);
        using var process = Support.Cli.Start(ws.Root, null, "build", "recipe.yaml", "--jobs", "2", "--json");
        WaitForEntries(ws, 6, process);
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the build did not stop after SIGINT");
        Assert.Equal(130, process.ExitCode);
        var summary = JsonNode.Parse(process.StandardOutput.ReadToEnd().Trim().Split('\n').Last())!;
        Assert.True(summary["interrupted"]!.GetValue<bool>());

        var tmp = Path.Combine(ws.CacheDir, "tmp");
        Assert.True(!Directory.Exists(tmp) || !Directory.EnumerateDirectories(tmp).Any(), "scratch directories left behind");
        Assert.True(JsonNode.Parse(Support.Cli.Run(ws.Root, "cache", "verify", "--json").LastLine)!["clean"]!.GetValue<bool>());
        var resumed = JsonNode.Parse(Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--json").LastLine)!;
        Assert.True(resumed["cached"]!.GetValue<int>() >= 6);
        Assert.Equal(0, resumed["failed"]!.GetValue<int>());
    }

    /// <summary>
    /// Ctrl-C in a terminal signals the whole process group: the tool and every running simulator at once. A command
    /// that dies of the signal first must leave its node reported as interrupted, not failed (it was 2 in 24 before).
    /// </summary>
    [Fact]
    public async Task CtrlCToTheWholeProcessGroupReportsNoNodeAsFailed()
    {
        for (var trial = 0; trial < 4; trial++)
        {
            using var ws = new Workspace();
            SlowSweep(ws);
            // setsid makes the build the leader of a new group (its pid is the group id), as a shell does for a job.
            var start = new ProcessStartInfo("/usr/bin/setsid") { WorkingDirectory = ws.Root, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "/usr/bin/env", "--default-signal=INT", "dotnet", Support.Cli.ToolPath, "build", "recipe.yaml", "--jobs", "2", "--json" })
                start.ArgumentList.Add(a);
            start.Environment["CI"] = "true";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            WaitForEntries(ws, 4 + 2 * trial, process);
            using (var kill = Process.Start("kill", ["-INT", "--", "-" + process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the build did not stop after SIGINT to its group");
            var (output, errors) = (await stdout, await stderr);
            var summary = JsonNode.Parse(output.Trim().Split('\n').Last())!;
            Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {errors}");
            Assert.True(summary["interrupted"]!.GetValue<bool>());
            Assert.True(summary["failed"]!.GetValue<int>() == 0, $"trial {trial}: a node was reported failed: {errors}");
        }
    }

    [Fact]
    public void TwoBuildsSharingACacheCorruptNothing()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, space: "a: { int: [1, 12] }\n    b: { choice: [x, y] }",
            command: "sleep 0.05; cat input.txt > out.txt; echo \"{\\\"v\\\": 1}\" > result.json");
        using var first = Support.Cli.Start(ws.Root, null, "build", "recipe.yaml", "--jobs", "2", "--out", "out-a", "--json");
        using var second = Support.Cli.Start(ws.Root, null, "build", "recipe.yaml", "--jobs", "2", "--out", "out-b", "--json");
        var outputs = new[] { first, second }.Select(p => p.StandardOutput.ReadToEndAsync()).ToArray();
        Assert.True(first.WaitForExit(TimeSpan.FromMinutes(2)) && second.WaitForExit(TimeSpan.FromMinutes(2)));
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);

        Assert.True(JsonNode.Parse(Support.Cli.Run(ws.Root, "cache", "verify", "--json").LastLine)!["clean"]!.GetValue<bool>());
        var third = JsonNode.Parse(Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--json").LastLine)!;
        Assert.Equal(0, third["executed"]!.GetValue<int>());
        var a = File.ReadAllText(Path.Combine(ws.Root, "out-a", "sweep", "manifest.json"));
        var b = File.ReadAllText(Path.Combine(ws.Root, "out-b", "sweep", "manifest.json"));
        Assert.Equal(a, b);
    }
}
