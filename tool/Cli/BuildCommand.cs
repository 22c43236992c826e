using Recipes.Plugins;
using Recipes.Plugins.Files;
using System.CommandLine;
using System.Runtime.InteropServices;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Materialization;
using Recipes.Reporting;
using Spectre.Console;

namespace Recipes.Cli;

/// <summary><c>recipes build RECIPE</c>: run every stale node, then materialize <c>out/&lt;recipe&gt;/</c>.</summary>
public static class BuildCommand
{
    public static Command Create()
    {
        var recipe = CommonOptions.Recipe();
        var jobs = new Option<int?>("--jobs", "-j") { Description = "Parallel CPU slots (default: execution.jobs, else the number of cores)." }.AtLeast(1);
        var cache = CommonOptions.Cache();
        var output = new Option<string?>("--out") { Description = "Root of materialized outputs (default: out/); artifacts go to <out>/<recipe>/." };
        var set = CommonOptions.Set();
        var keepGoing = new Option<bool>("--keep-going", "-k") { Description = "After a failure, keep running nodes that do not depend on it." };
        var executor = new Option<string?>("--executor") { Description = "Who runs stale nodes: local (default: execution.executor, else local) or slurm (job arrays; see docs/cluster.md)." };
        executor.AcceptOnlyFromAmong("local", "slurm");
        var json = CommonOptions.Json();
        var logFormat = new Option<string>("--log-format") { Description = "text (progress bars on a terminal, plain lines otherwise) or json (one event per line).", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var remoteCache = new Option<string?>("--remote-cache") { Description = "HTTP cache shared between machines (Bazel's /ac/ and /cas/ layout); also RECIPES_REMOTE_CACHE or .recipes.json." };
        var remoteUpload = new Option<bool?>("--remote-upload") { Description = "false: read from the remote cache but never write to it (pull requests from forks)." };
        var errorFormat = new Option<string>("--error-format") { Description = "text, or msbuild: file(line,col): error RCP0001: message.", DefaultValueFactory = _ => "text" };
        errorFormat.AcceptOnlyFromAmong("text", "msbuild");
        var depfile = new Option<string?>("--depfile") { Description = "Write the recipe's source files (recipe, includes, base case) here, one per line, for build systems." };
        var outputsFile = new Option<string?>("--outputs-file") { Description = "Write the paths of the materialized files here, one per line." };
        var report = new Option<string?>("--report") { Description = "At the end, write the HTML report (see 'recipes report'), to this file or <out>/<recipe>/report.html.", Arity = ArgumentArity.ZeroOrOne };
        var device = new Option<string?>("--device") { Description = "Where ILGPU solvers run: auto, cpu or cuda (default: execution.device, else auto)." };
        device.AcceptOnlyFromAmong([.. DeviceKinds.Names]);
        var target = CommonOptions.Target();

        var command = new Command("build", "Build a recipe: run stale nodes, reuse cached ones, materialize out/<recipe>/.")
        {
            recipe, jobs, cache, output, set, keepGoing, executor, json, logFormat, device, remoteCache, remoteUpload, errorFormat, depfile, outputsFile, report, target,
        };
        // The spelled choices become types here, once; everything below sees enums.
        command.SetAction((parse, _) => RunAsync(
            parse.GetValue(recipe)!, parse.GetValue(set) ?? [], parse.GetValue(cache), parse.GetValue(output), parse.GetValue(jobs),
            parse.GetValue(keepGoing), parse.GetValue(json), parse.GetValue(logFormat)!,
            parse.GetValue(device) is { } deviceName ? DeviceKinds.Parse(deviceName) : null,
            parse.GetValue(remoteCache), parse.GetValue(remoteUpload),
            new BuildFiles(parse.GetValue(errorFormat) == "msbuild" ? ErrorFormat.MSBuild : ErrorFormat.Text, parse.GetValue(depfile), parse.GetValue(outputsFile),
                parse.GetResult(report) is null ? null : parse.GetValue(report) ?? ""),
            parse.GetValue(executor) switch { "slurm" => ExecutorKind.Slurm, "local" => ExecutorKind.Local, _ => null },
            parse.GetValue(target) ?? []));
        return command;
    }

    public static async Task<int> RunAsync(string recipePath, IReadOnlyList<string> sets, string? cacheOption, string? outOption, int? jobsOption,
        bool keepGoingOption, bool json, string logFormat, DeviceKind? deviceOption, string? remoteOption = null, bool? remoteUploadOption = null,
        BuildFiles? files = null, ExecutorKind? executorOption = null, IReadOnlyList<string>? targets = null)
    {
        targets ??= [];
        files ??= new BuildFiles(ErrorFormat.Text, null, null);
        Remote.RemoteCacheOptions? remoteOptions;
        var project = Configuration.ProjectRoot.Find(recipePath);
        try
        {
            remoteOptions = Remote.RemoteCacheSettings.Resolve(remoteOption, remoteUploadOption, project);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return ExitCodes.InvalidRecipe;
        }
        RecipeSession session;
        var onSlurm = false;
        Cluster.SlurmSettings? slurmSettings = null;
        try
        {
            var recipe = RecipeSession.LoadRecipe(recipePath, sets);
            Targets.TargetSelection.Check(recipe, targets);
            onSlurm = (executorOption ?? recipe.Execution.Executor ?? ExecutorKind.Local) == ExecutorKind.Slurm;
            // Checked before the cache is opened, so a build that cannot start leaves nothing behind.
            if (onSlurm && (slurmSettings = SlurmSettingsOrError(recipe.Execution, project)) is null) return ExitCodes.InvalidRecipe;
            session = RecipeSession.Open(recipe, cacheOption);
        }
        catch (RecipeException e)
        {
            return RecipeSession.Report(e, files.ErrorFormat);
        }
        RecipeSession.PrintWarnings(session.Recipe, files.ErrorFormat);
        if (files.DepFile is not null)
            AtomicFile.WriteAllText(files.DepFile, string.Concat(session.Recipe.SourceFiles.Distinct().Select(f => Path.GetFullPath(f) + "\n")));
        var execution = session.Recipe.Execution;
        var options = new BuildOptions
        {
            // On a cluster the scheduler decides how many run at once (execution.slurm.throttle); here every ready node goes out.
            Jobs = onSlurm ? Cluster.SlurmExecutor.Unbounded : Math.Max(1, jobsOption ?? execution.Jobs ?? Environment.ProcessorCount),
            KeepGoing = keepGoingOption || execution.KeepGoing == true,
            Device = deviceOption ?? execution.Device ?? DeviceKind.Auto,
            OutputRoot = outOption ?? session.Project.DefaultOutput,
        };

        using var interrupt = new CancellationTokenSource();
        var presses = 0;
        void OnSignal(PosixSignalContext context)
        {
            // The first Ctrl-C (or SIGTERM) stops cleanly: running nodes are cancelled, nothing half-written stays.
            // A second one is left to the default action and kills at once.
            if (Interlocked.Increment(ref presses) > 1) return;
            context.Cancel = true;
            Console.Error.WriteLine("interrupt: stopping running nodes; press Ctrl-C again to kill");
            interrupt.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        TallyReporter? tally = null;
        IBuildReporter reporter;
        if (logFormat == "json") reporter = new JsonEventReporter(Console.Out);
        else if (Terminal.IsInteractive) reporter = tally = new TerminalReporter();
        else reporter = tally = new PlainReporter(Console.Error);
        // --target: the chosen targets' nodes and what they need, in every pass of an adaptive sweep too.
        Func<Graph.BuildGraph, Graph.BuildGraph> select = g => Targets.TargetSelection.Select(g, targets);
        var graph = select(session.Graph);
        using var remote = remoteOptions is null ? null : new Remote.RemoteCacheClient(remoteOptions, session.Cache, message => Console.Error.WriteLine("warning: " + Escaping.TerminalText.Clean(message)));
        using var slurm = slurmSettings is null ? null : new Cluster.SlurmExecutor(slurmSettings,
            new Cluster.SlurmInvocation(Path.GetFullPath(session.Recipe.RecipePath), sets, Path.GetFullPath(session.Cache.Root), remoteOptions?.Url.ToString(),
                Directory.GetCurrentDirectory(), options.Device),
            session.Cache, remote, graph, message => Console.Error.WriteLine(message));
        var engine = new BuildEngine(session.Cache, remote, slurm);
        session.Cache.Actions.Warn = message => Console.Error.WriteLine("warning: " + Escaping.TerminalText.Clean(message));
        session.Cache.Blobs.Warn = message => Console.Error.WriteLine("warning: " + Escaping.TerminalText.Clean(message));
        session.Cache.States.Warn = message => Console.Error.WriteLine("warning: " + Escaping.TerminalText.Clean(message));

        BuildResult result;
        BuildSummary summary;
        string? outDir = null;
        // Recorded from here on: the recipe is valid and the build is about to touch the cache.
        using var recorder = Runs.RunRecorder.Begin(new Runs.RunStore(session.Cache.Root), graph, sets, onSlurm ? "slurm" : "local", sampleMemory: !onSlurm,
            outputRoot: options.OutputRoot);
        reporter = new CompositeReporter(reporter, recorder);
        try
        {
            // A blob found corrupt while feeding a node or filling out/ is quarantined; one more pass rebuilds what it held.
            for (var pass = 0; ; pass++)
            {
                var quarantinedBefore = session.Cache.Blobs.Quarantined;
                if (tally is TerminalReporter terminal)
                {
                    // While the bars are live, native libraries' fd 2 goes to the running node's log (see NativeStderr).
                    using var native = NativeStderr.Start(line => Console.Error.WriteLine(line));
                    result = await TerminalReporter.RunAsync(native is null ? Terminal.Error : Terminal.Live(native.Terminal), terminal,
                        () => Adaptive.AdaptiveBuild.BuildAsync(engine, session.Cache, graph, options, reporter, interrupt.Token, select));
                }
                else result = await Adaptive.AdaptiveBuild.BuildAsync(engine, session.Cache, graph, options, reporter, interrupt.Token, select);
                summary = result.Summary with { Slurm = slurm?.Stats };
                if (summary.Interrupted) break;
                outDir = new OutputMaterializer(session.Cache) { Source = recorder.Record.Source }.Materialize(Targets.TargetSelection.WholeView(engine, result), options.OutputRoot);
                if (session.Cache.Blobs.Quarantined == quarantinedBefore || pass == 1) break;
                Console.Error.WriteLine("rebuilding the nodes whose cached outputs were corrupt");
            }
        }
        catch
        {
            recorder.Abort();
            throw;
        }
        finally
        {
            sigint.Dispose();
            sigterm.Dispose();
        }
        recorder.Complete(result);

        if (outDir is not null) summary = summary with { OutputDirectory = DisplayPath.Of(outDir) };
        reporter.Completed(summary);
        if (tally is TerminalReporter)
            foreach (var (node, failure) in tally.Failures) Console.Error.WriteLine(TallyReporter.FailureText(node, failure));
        if (files.ErrorFormat == ErrorFormat.MSBuild)
        {
            // One MSBuild error per failed node, on one line (MSBuild shows nothing else by default): the node, its
            // error, and the last lines of its log, where the real cause usually is ("awk: cannot open ...").
            var tails = tally?.Failures.ToDictionary(f => f.Node.Index, f => f.Result.LogTail) ?? [];
            foreach (var node in result.Graph.Nodes.Where(n => result.States.Status[n.Index] == NodeStatus.Failed))
                Console.Error.WriteLine($"{session.Recipe.RecipePath} : error RCP0100: node {node.Id} failed: {result.States.Messages[node.Index]}"
                    + MSBuildLogTail(tails.GetValueOrDefault(node.Index), result.States.Messages[node.Index]));
        }
        if (files.OutputsFile is not null && summary.OutputDirectory is not null)
        {
            var root = Path.GetFullPath(Path.Combine(options.OutputRoot, session.Recipe.Name));
            var paths = Directory.Exists(root)
                ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(p => p + "\n")
                : [];
            AtomicFile.WriteAllText(files.OutputsFile, string.Concat(paths));
        }

        if (files.Report is not null && !summary.Interrupted)
        {
            var reportPath = ReportCommand.Write(session, options.OutputRoot, files.Report.Length == 0 ? null : files.Report);
            Console.Error.WriteLine($"report: {DisplayPath.Of(reportPath)}");
        }

        if (json || logFormat == "json")
        {
            Console.Out.WriteLine(JsonEventReporter.Serialize(JsonEventReporter.SummaryJson(summary)));
        }
        else
        {
            PrintSummary(summary);
            if (session.Recipe.Adaptive is not null && summary.ExitCode == ExitCodes.Success) Console.Out.WriteLine(Adaptive.AdaptiveRounds.Reuse(result));
        }
        return summary.ExitCode;
    }

    /// <summary>The last log lines of a failed node as one clause, without the echoed command and the repeated error.</summary>
    private static string MSBuildLogTail(string? tail, string? error)
    {
        var lines = (tail ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith("$ ", StringComparison.Ordinal) && l != $"error: {error}")
            .TakeLast(3)
            .ToList();
        return lines.Count == 0 ? "" : $"; log: {string.Join(" | ", lines)}";
    }

    private static Cluster.SlurmSettings? SlurmSettingsOrError(Recipe.ExecutionSettings execution, Configuration.ProjectRoot project)
    {
        if (!Cluster.SlurmCommands.Available())
        {
            Console.Error.WriteLine("error: --executor slurm needs Slurm's sbatch, squeue and scancel on PATH; run on a cluster login node or use --executor local");
            return null;
        }
        try
        {
            var config = Configuration.UserConfig.Section("slurm", project) as System.Text.Json.Nodes.JsonObject;
            return Cluster.SlurmSettings.From(config is null ? null : new Plugins.ValueMap(config), execution.Slurm);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or PluginException or OverflowException)
        {
            Console.Error.WriteLine("error: slurm settings: " + Escaping.TerminalText.Clean(e.Message));
            return null;
        }
    }

    private static void PrintSummary(BuildSummary summary)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("stage", "nodes", "executed", "cached", "failed", "skipped");
        foreach (var (stage, counts) in summary.Stages.OrderBy(s => s.Key, StageNames.PipelineOrder))
            table.AddRow(stage, counts.Nodes.ToString(), counts.Executed.ToString(), counts.Cached.ToString(), counts.Failed.ToString(), counts.Skipped.ToString());
        Terminal.Out.Write(table);
        var verdict = summary.Interrupted ? "interrupted" : summary.Failed > 0 ? $"{summary.Failed} failed" : "ok";
        Console.Out.WriteLine($"{verdict}: {summary.Nodes} nodes, {summary.Executed} executed, {summary.Cached} cached in {summary.Seconds:0.00} s"
            + (summary.OutputDirectory is null ? "" : $"; outputs in {summary.OutputDirectory}/"));
        if (summary.Remote is { } r)
            Console.Out.WriteLine($"remote cache: {r.Hits} hits ({r.BytesDown / 1024.0:0.0} KiB down), {r.Uploads} uploads ({r.BytesUp / 1024.0:0.0} KiB up){(r.Disabled is null ? "" : $", disabled: {r.Disabled}")}");
        if (summary.Slurm is { } slurm)
            Console.Out.WriteLine($"slurm: {slurm.Jobs} array jobs, {slurm.ArrayTasks} tasks, {slurm.Resubmitted} nodes resubmitted");
    }
}
