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
/// What every <c>exec</c> stage shares (the simulator, the trainer, the evaluator): declared commands run in a fresh
/// sandbox directory, each with a timeout, retried on declared transient failures from a clean copy, with the recipe's
/// environment; then the declared output globs are collected (each must match, none may leave the sandbox) and declared
/// numeric outputs are checked for NaN. A <c>version</c> command's output is the program's identity in the action key.
/// </summary>
public static partial class ExecCommands
{
    private static readonly Setting<double> Timeout = ExecSettings.Shared.Timeout;
    private static readonly Setting<string> Shell = ExecSettings.Shared.Shell;
    private static readonly Setting<int> Retries = ExecSettings.Shared.Retries;
    private static readonly Setting<JsonNode?> RetryOn = ExecSettings.Shared.RetryOn;

    private static readonly Setting<IReadOnlyList<string>?> Command = Settings.OptionalTexts("command", "Command(s) run in order in the sandbox; a non-zero exit fails the attempt.");
    private static readonly Setting<IReadOnlyList<string>?> Outputs = Settings.OptionalTexts("outputs", "Globs, relative to the sandbox, of the files to keep; each must match at least one file.");
    private static readonly Setting<JsonObject?> Env = Settings.OptionalObject("env", "Environment variables for the commands (names to text, numbers or booleans).");
    private static readonly Setting<string?> Prelude = Settings.OptionalText("prelude", "Shell text run before every command (and the version command), e.g. '. /usr/share/openfoam/etc/bashrc'.");
    private static readonly Setting<string?> Version = Settings.OptionalText("version", "A command whose output identifies the program (e.g. its version and executable hash); it enters the action key.");
    private static readonly Setting<IReadOnlyList<string>?> NumericOutputs = Settings.OptionalTexts("numeric_outputs", "Globs of outputs that must hold no NaN or infinity (.npy arrays, or text).");

    /// <summary>The settings of every exec stage; <paramref name="outputsRequired"/> is false where the stage has a default.</summary>
    public static IReadOnlyList<OptionSpec> Options(bool outputsRequired = true) =>
    [
        Command.Spec with { Required = true },
        Outputs.Spec with { Required = outputsRequired },
        Timeout,
        Env,
        Shell,
        Prelude,
        Retries,
        RetryOn,
        Version,
        NumericOutputs,
    ];

    public static IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        foreach (var option in new[] { Outputs, NumericOutputs })
            foreach (var glob in option.Read(settings) ?? [])
                if (SandboxPaths.Check(glob) is { } problem) yield return new OptionProblem(option.Name, problem);
        if (RetryOn.Read(settings) is { } retryOn)
        {
            var items = retryOn is JsonArray array ? array.ToList() : [retryOn];
            foreach (var item in items)
                if (!(item is JsonValue v && (v.TryGetValue(out long _) || (v.TryGetValue(out string? s) && s == "timeout"))))
                    yield return new OptionProblem(RetryOn.Name, $"{item?.ToJsonString()} is neither an exit code nor 'timeout'");
        }
        // Checked before anything runs: an environment variable holds one line of text, not a list or a mapping.
        if (Env.Read(settings) is { } variables)
            foreach (var (name, value) in variables)
                if (value is not JsonValue)
                    yield return new OptionProblem(Env.Name, $"{name} is a {(value is JsonArray ? "list" : value is null ? "null" : "mapping")}; an environment variable holds text, a number or a boolean");
    }

    public static string? Identity(ValueMap settings, string directory)
    {
        if (Version.Read(settings) is not { } version) return null;
        var shell = Shell.Read(settings);
        var script = Script(settings, version);
        var start = Start(shell, script, directory);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new PluginException($"the version command did not finish within 60 s: {version}");
        }
        if (process.ExitCode != 0)
            throw new PluginException($"the version command exited with code {process.ExitCode}: {version}\n{stderr.Result.Trim()}");
        return stdout.Result.Trim();
    }

    private static string Script(ValueMap settings, string command) =>
        Prelude.Read(settings) is { } prelude ? prelude + "\n" + command : command;

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

    /// <summary>
    /// Runs the commands until an attempt succeeds (or the retries are spent), each attempt in a fresh sandbox that
    /// <paramref name="prepare"/> fills; <paramref name="collect"/> then takes what the attempt left (by default the
    /// declared outputs). <paramref name="environment"/> adds variables before the recipe's <c>env</c> (which wins).
    /// </summary>
    public static async Task RunAsync(PluginContext context, Func<string, Task> prepare, IReadOnlyDictionary<string, string> environment,
        Action<string>? collect, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var attempts = 1 + Retries.Read(settings);
        var transient = TransientFailures(settings);
        for (var attempt = 1; ; attempt++)
        {
            var sandbox = Path.Combine(context.WorkDirectory, $"attempt-{attempt}");
            Directory.CreateDirectory(sandbox);
            await prepare(sandbox);
            var failure = await RunCommands(context, sandbox, environment, cancellationToken);
            if (failure is null)
            {
                (collect ?? (s => CollectOutputs(context, s)))(sandbox);
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

    /// <summary>Copies files into the sandbox at their names (each checked to stay inside it), keeping them readable and writable.</summary>
    public static async Task CopyIn(IEnumerable<Artifact> files, string sandbox, string prefix = "")
    {
        foreach (var file in files)
        {
            var target = SandboxPaths.Resolve(sandbox, prefix + file.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using (var source = File.OpenRead(file.Path))
            await using (var destination = File.Create(target))
                await source.CopyToAsync(destination);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(target, File.GetUnixFileMode(file.Path) | UnixFileMode.UserWrite | UnixFileMode.UserRead);
        }
    }

    private static async Task<Failure?> RunCommands(PluginContext context, string sandbox, IReadOnlyDictionary<string, string> extra, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var timeout = TimeSpan.FromSeconds(Timeout.Read(settings));
        var shell = Shell.Read(settings);
        var environment = new ValueMap(Env.Read(settings) ?? []);
        foreach (var command in Command.Read(settings) ?? [])
        {
            var start = Start(shell, Script(settings, command), sandbox);
            start.Environment["RECIPES_SEED"] = context.Seed.ToString(CultureInfo.InvariantCulture);
            start.Environment["RECIPES_THREADS"] = context.Threads.ToString(CultureInfo.InvariantCulture);
            start.Environment["OMP_NUM_THREADS"] = context.Threads.ToString(CultureInfo.InvariantCulture);
            foreach (var (key, value) in extra) start.Environment[key] = value;
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

    /// <summary>Copies the files the declared <c>outputs</c> globs match (<paramref name="fallback"/> where none are declared) to the node's outputs.</summary>
    public static void CollectOutputs(PluginContext context, string sandbox, IReadOnlyList<string>? fallback = null, Func<string, bool>? skip = null)
    {
        var numeric = NumericOutputs.Read(context.Settings) ?? [];
        var numericMatcher = new Matcher(StringComparison.Ordinal);
        numericMatcher.AddIncludePatterns(numeric);
        foreach (var glob in Outputs.Read(context.Settings) ?? fallback ?? [])
        {
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(glob);
            var files = matcher.GetResultsInFullPath(sandbox).Order(StringComparer.Ordinal).ToList();
            var kept = 0;
            foreach (var file in files)
            {
                var relative = Path.GetRelativePath(sandbox, file).Replace('\\', '/');
                if (skip?.Invoke(relative) == true) continue;
                // A file, or a directory on its way, that is a link out of the sandbox would copy an outside file in.
                if (!Plugins.Files.RealPath.IsInside(sandbox, file))
                    throw new PluginException($"output '{relative}' leads out of the sandbox through a symbolic link (to {Plugins.Files.RealPath.Of(file)})");
                if (numeric.Count > 0 && numericMatcher.Match(relative).HasMatches && HoldsNonFinite(file))
                    throw new PluginException($"declared numeric output '{relative}' holds NaN or infinity");
                File.Copy(file, context.OutputPath(relative), overwrite: true);
                kept++;
            }
            if (kept == 0)
                throw new PluginException($"declared output '{glob}' matched no file in the sandbox");
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
