using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileSystemGlobbing;
using Recipes.Plugins;
using Recipes.Plugins.Formats;

namespace Recipes.Solvers.Exec;

/// <summary>
/// Runs an external program: declared commands in a fresh sandbox directory holding the sample's rendered base case,
/// each with a timeout, retried on declared transient failures from a clean copy, with the recipe's environment; then
/// collects the declared output globs (each must match, none may leave the sandbox) and rejects NaN in declared numeric
/// outputs. The simulator's identity (a <c>version</c> command's output) enters the action key. Registered for
/// <c>simulate</c> and for <c>postprocess</c>.
/// </summary>
public sealed partial class ExecSolver : StagePlugin
{
    public ExecSolver(string stage) => Stage = stage;

    public override string Name => "exec";
    public override string Stage { get; }
    public override int Version => 1;
    public override string Summary => "Run commands in a sandbox holding the sample's files; collect output globs.";

    private static readonly Setting<double> Timeout = Settings.Number("timeout", "Seconds each command may run before it is killed.", 3600, min: 0.001);
    private static readonly Setting<string> Shell = Settings.Text("shell", "The shell that runs each command (with -c).", "sh", "sh", "bash");
    private static readonly Setting<int> Retries = Settings.Int("retries", "Further attempts after a transient failure (see retry_on), each from a clean copy of the inputs.", 0, min: 0, max: 20);
    private static readonly Setting<JsonNode?> RetryOn = Settings.Any("retry_on", "Which failures are transient: exit codes and/or 'timeout'.", new JsonArray());

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        new OptionSpec("command", OptionType.StringList, "Command(s) run in order in the sandbox; a non-zero exit fails the attempt.") { Required = true },
        new OptionSpec("outputs", OptionType.StringList, "Globs, relative to the sandbox, of the files to keep; each must match at least one file.") { Required = true },
        Timeout,
        new OptionSpec("env", OptionType.Mapping, "Environment variables for the commands."),
        Shell,
        OptionSpec.Text("prelude", "Shell text run before every command (and the version command), e.g. '. /usr/share/openfoam/etc/bashrc'."),
        Retries,
        RetryOn,
        new OptionSpec("version", OptionType.String, "A command whose output identifies the simulator (e.g. its version and executable hash); it enters the action key."),
        new OptionSpec("numeric_outputs", OptionType.StringList, "Globs of outputs that must hold no NaN or infinity (.npy arrays, or text)."),
    ];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        foreach (var option in new[] { "outputs", "numeric_outputs" })
            foreach (var glob in settings.GetStrings(option, []))
                if (SandboxPaths.Check(glob) is { } problem) yield return new OptionProblem(option, problem);
        if (RetryOn.Read(settings) is { } retryOn)
        {
            var items = retryOn is JsonArray array ? array.ToList() : [retryOn];
            foreach (var item in items)
                if (!(item is JsonValue v && (v.TryGetValue(out long _) || (v.TryGetValue(out string? s) && s == "timeout"))))
                    yield return new OptionProblem(RetryOn.Name, $"{item?.ToJsonString()} is neither an exit code nor 'timeout'");
        }
    }

    public override string? Identity(ValueMap settings, string recipeDirectory)
    {
        if (!settings.TryGet("version", out var version) || version is null) return null;
        var shell = Shell.Read(settings);
        var script = Script(settings, settings.GetString("version"));
        {
            var start = Start(shell, script, recipeDirectory);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new PluginException($"the version command did not finish within 60 s: {settings.GetString("version")}");
            }
            if (process.ExitCode != 0)
                throw new PluginException($"the version command exited with code {process.ExitCode}: {settings.GetString("version")}\n{stderr.Result.Trim()}");
            return stdout.Result.Trim();
        }
    }

    private static string Script(ValueMap settings, string command) =>
        settings.TryGet("prelude", out var prelude) && prelude is not null ? settings.GetString("prelude") + "\n" + command : command;

    private static ProcessStartInfo Start(string shell, string script, string directory)
    {
        var start = new ProcessStartInfo(shell == "bash" ? "/bin/bash" : "/bin/sh")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        return start;
    }

    public override async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var attempts = 1 + Retries.Read(settings);
        var transient = TransientFailures(settings);
        for (var attempt = 1; ; attempt++)
        {
            var sandbox = Path.Combine(context.WorkDirectory, $"attempt-{attempt}");
            Directory.CreateDirectory(sandbox);
            await PrepareSandbox(context, sandbox);
            var failure = await RunCommands(context, sandbox, cancellationToken);
            if (failure is null)
            {
                CollectOutputs(context, sandbox);
                return;
            }
            var retry = attempt < attempts && (transient.Codes.Contains(failure.ExitCode ?? int.MinValue) || (failure.TimedOut && transient.Timeout));
            if (!retry) throw new PluginException(failure.Message + (attempt > 1 ? $" (attempt {attempt} of {attempts})" : ""));
            await context.Log.WriteLineAsync($"attempt {attempt} failed ({failure.Message}); retrying from a clean copy");
        }
    }

    private sealed record Failure(string Message, int? ExitCode, bool TimedOut);

    /// <summary>A shell's exit code for a command killed by SIGINT (128 + 2) and by SIGTERM (128 + 15).</summary>
    private const int InterruptedBySigint = 130;
    private const int InterruptedBySigterm = 143;
    private static readonly TimeSpan SignalGrace = TimeSpan.FromSeconds(2);

    private static (HashSet<int> Codes, bool Timeout) TransientFailures(ValueMap settings)
    {
        var codes = new HashSet<int>();
        var timeout = false;
        if (RetryOn.Read(settings) is { } node)
            foreach (var item in node is JsonArray array ? array.ToList() : [node])
            {
                if (item is JsonValue v && v.TryGetValue(out long code)) codes.Add((int)code);
                else timeout = true;
            }
        return (codes, timeout);
    }

    private static async Task PrepareSandbox(PluginContext context, string sandbox)
    {
        foreach (var file in context.InputFiles)
        {
            var target = SandboxPaths.Resolve(sandbox, file.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using (var source = File.OpenRead(file.Path))
            await using (var destination = File.Create(target))
                await source.CopyToAsync(destination);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(target, File.GetUnixFileMode(file.Path) | UnixFileMode.UserWrite | UnixFileMode.UserRead);
        }
    }

    private static async Task<Failure?> RunCommands(PluginContext context, string sandbox, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var timeout = TimeSpan.FromSeconds(Timeout.Read(settings));
        var shell = Shell.Read(settings);
        var environment = settings.GetMap("env");
        foreach (var command in settings.GetStrings("command"))
        {
            var start = Start(shell, Script(settings, command), sandbox);
            start.Environment["RECIPES_SEED"] = context.Seed.ToString(CultureInfo.InvariantCulture);
            start.Environment["RECIPES_THREADS"] = context.Threads.ToString(CultureInfo.InvariantCulture);
            start.Environment["OMP_NUM_THREADS"] = context.Threads.ToString(CultureInfo.InvariantCulture);
            foreach (var (key, value) in context.Parameters.Entries)
                if (value is JsonValue) start.Environment["RECIPES_PARAM_" + key.ToUpperInvariant()] = context.Parameters.GetString(key);
            foreach (var (key, _) in environment.Entries) start.Environment[key] = environment.GetString(key);

            await context.Log.WriteLineAsync($"$ {command}");
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) context.Log.WriteLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) context.Log.WriteLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var timer = new CancellationTokenSource(timeout);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
            try
            {
                await process.WaitForExitAsync(both.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                cancellationToken.ThrowIfCancellationRequested();
                return new Failure($"command timed out after {timeout.TotalSeconds:0.###} s: {command}", null, TimedOut: true);
            }
            process.WaitForExit();
            if (process.ExitCode is InterruptedBySigint or InterruptedBySigterm)
            {
                // Ctrl-C reaches the whole process group: the command may die of it a moment before this process has
                // turned the signal into a cancellation. Give that a moment, so the node is reported interrupted, not failed.
                try
                {
                    await Task.Delay(SignalGrace, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (process.ExitCode != 0)
                return new Failure($"command exited with code {process.ExitCode}: {command}", process.ExitCode, TimedOut: false);
        }
        return null;
    }

    private static void CollectOutputs(PluginContext context, string sandbox)
    {
        var numeric = context.Settings.GetStrings("numeric_outputs", []);
        var numericMatcher = new Matcher(StringComparison.Ordinal);
        numericMatcher.AddIncludePatterns(numeric);
        foreach (var glob in context.Settings.GetStrings("outputs"))
        {
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(glob);
            var files = matcher.GetResultsInFullPath(sandbox).Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0)
                throw new PluginException($"declared output '{glob}' matched no file in the sandbox");
            foreach (var file in files)
            {
                var relative = Path.GetRelativePath(sandbox, file).Replace('\\', '/');
                // A file, or a directory on its way, that is a link out of the sandbox would copy an outside file in.
                if (!Plugins.Files.RealPath.IsInside(sandbox, file))
                    throw new PluginException($"output '{relative}' leads out of the sandbox through a symbolic link (to {Plugins.Files.RealPath.Of(file)})");
                if (numeric.Count > 0 && numericMatcher.Match(relative).HasMatches && HoldsNonFinite(file))
                    throw new PluginException($"declared numeric output '{relative}' holds NaN or infinity");
                File.Copy(file, context.OutputPath(relative), overwrite: true);
            }
        }
    }

    private static bool HoldsNonFinite(string path)
    {
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            return NpyFile.Read(path).Data.Any(v => !float.IsFinite(v));
        return NonFinite().IsMatch(File.ReadAllText(path, Encoding.UTF8));
    }

    [GeneratedRegex(@"(?<![A-Za-z])(nan|-?inf(inity)?)(?![A-Za-z])", RegexOptions.IgnoreCase)]
    private static partial Regex NonFinite();
}
