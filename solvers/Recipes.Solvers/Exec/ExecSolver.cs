using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.FileSystemGlobbing;
using Recipes.Plugins;

namespace Recipes.Solvers.Exec;

/// <summary>
/// Runs declared commands of an external program in the node's fresh work directory, which holds the rendered base
/// case, and collects the declared output globs. Registered for <c>simulate</c> and for <c>postprocess</c>.
/// </summary>
public sealed class ExecSolver : StagePlugin
{
    public ExecSolver(string stage) => Stage = stage;

    public override string Name => "exec";
    public override string Stage { get; }
    public override int Version => 1;
    public override string Summary => "Run commands in a work directory holding the sample's files; collect output globs.";

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        new OptionSpec("command", OptionType.StringList, "Shell command(s) run in order with /bin/sh -c in the work directory.") { Required = true },
        new OptionSpec("outputs", OptionType.StringList, "Globs, relative to the work directory, of the files to keep; each must match at least one file.") { Required = true },
        OptionSpec.Number("timeout", "Seconds each command may run before it is killed and the node fails.", 3600, min: 0.001),
        new OptionSpec("env", OptionType.Mapping, "Environment variables for the commands."),
    ];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        foreach (var glob in settings.GetStrings("outputs", []))
        {
            var problem = SandboxPaths.Check(glob);
            if (problem is not null) yield return new OptionProblem("outputs", problem);
        }
    }

    public override async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var work = context.WorkDirectory;
        foreach (var file in context.InputFiles)
        {
            var target = SandboxPaths.Resolve(work, file.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file.Path, target, overwrite: true);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(target, File.GetUnixFileMode(file.Path) | UnixFileMode.UserWrite | UnixFileMode.UserRead);
        }
        var timeout = TimeSpan.FromSeconds(context.Settings.GetDouble("timeout", 3600));
        var environment = context.Settings.GetMap("env");
        foreach (var command in context.Settings.GetStrings("command"))
            await RunCommand(context, command, environment, timeout, cancellationToken);
        CollectOutputs(context);
    }

    private static async Task RunCommand(PluginContext context, string command, ValueMap environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = context.WorkDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
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
            throw new PluginException($"command timed out after {timeout.TotalSeconds:0.###} s: {command}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new PluginException($"command exited with code {process.ExitCode}: {command}");
    }

    private static void CollectOutputs(PluginContext context)
    {
        var work = context.WorkDirectory;
        foreach (var glob in context.Settings.GetStrings("outputs"))
        {
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(glob);
            var files = matcher.GetResultsInFullPath(work).Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0)
                throw new PluginException($"declared output '{glob}' matched no file in the work directory");
            foreach (var file in files)
            {
                var relative = Path.GetRelativePath(work, file);
                if (new FileInfo(file).LinkTarget is { } link)
                {
                    var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, link));
                    if (!SandboxPaths.IsInside(work, target))
                        throw new PluginException($"output '{relative}' is a symbolic link out of the work directory (to {link})");
                }
                var destination = context.OutputPath(relative);
                File.Copy(file, destination, overwrite: true);
            }
        }
    }
}
