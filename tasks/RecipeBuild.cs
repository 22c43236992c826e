using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Recipes.Tasks;

/// <summary>
/// Runs <c>recipes build</c> for one recipe as a separate process. The tool prints problems as
/// <c>file(line,col): error RCP0001: message</c>, which this task turns into MSBuild errors an IDE can jump to; it
/// writes the recipe's source files (for the target's Inputs) and its materialized files (returned as
/// <see cref="Outputs"/>).
/// </summary>
public sealed class RecipeBuild : ToolTask
{
    [Required]
    public string Recipe { get; set; } = "";

    /// <summary>The program that runs the tool: <c>dotnet</c> (the one running MSBuild, when known) by default.</summary>
    public string Executable { get; set; } = "dotnet";

    /// <summary>Arguments before the command: <c>tool run recipes</c> (a local tool) or the path of <c>recipes.dll</c>.</summary>
    public string ToolPrefix { get; set; } = "tool run recipes";

    public string? Jobs { get; set; }
    public string? Cache { get; set; }
    public string? OutDir { get; set; }

    /// <summary><c>PATH=VALUE</c> overrides, separated by <c>;</c>.</summary>
    public string? Set { get; set; }

    /// <summary>Where the tool runs; relative paths in the recipe's outputs and cache options are taken from here.</summary>
    public string? WorkingDirectory { get; set; }

    public string? DepFile { get; set; }
    public string? OutputsFile { get; set; }

    [Output]
    public ITaskItem[] Outputs { get; private set; } = [];

    protected override string ToolName => "dotnet";

    protected override string? GetWorkingDirectory() => string.IsNullOrWhiteSpace(WorkingDirectory) ? base.GetWorkingDirectory() : WorkingDirectory;

    /// <summary>A rooted path as given; a bare name is looked up on PATH, as a shell would.</summary>
    protected override string GenerateFullPathToTool()
    {
        if (Path.IsPathRooted(Executable)) return Executable;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (directory.Length == 0) continue;
            var candidate = Path.Combine(directory, Executable);
            if (File.Exists(candidate)) return candidate;
            if (File.Exists(candidate + ".exe")) return candidate + ".exe";
        }
        return Executable;
    }

    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Low;

    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.Normal;

    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder();
        foreach (var part in ToolPrefix.Split([' '], StringSplitOptions.RemoveEmptyEntries)) builder.AppendSwitch(part);
        builder.AppendSwitch("build");
        builder.AppendFileNameIfNotNull(Recipe);
        builder.AppendSwitch("--error-format");
        builder.AppendSwitch("msbuild");
        builder.AppendSwitch("--json");
        if (!string.IsNullOrWhiteSpace(Jobs)) builder.AppendSwitchIfNotNull("--jobs ", Jobs);
        if (!string.IsNullOrWhiteSpace(Cache)) builder.AppendSwitchIfNotNull("--cache ", Cache);
        if (!string.IsNullOrWhiteSpace(OutDir)) builder.AppendSwitchIfNotNull("--out ", OutDir);
        if (!string.IsNullOrWhiteSpace(DepFile)) builder.AppendSwitchIfNotNull("--depfile ", DepFile);
        if (!string.IsNullOrWhiteSpace(OutputsFile)) builder.AppendSwitchIfNotNull("--outputs-file ", OutputsFile);
        foreach (var assignment in (Set ?? "").Split([';'], StringSplitOptions.RemoveEmptyEntries))
            builder.AppendSwitchIfNotNull("--set ", assignment.Trim());
        return builder.ToString();
    }

    public override bool Execute()
    {
        if (MissingLocalTool() is { } problem)
        {
            Log.LogError(null, "RCP0200", null, Recipe, 0, 0, 0, 0, problem);
            return false;
        }
        var ok = base.Execute();
        if (ok && !string.IsNullOrWhiteSpace(OutputsFile) && File.Exists(OutputsFile))
        {
            Outputs = File.ReadAllLines(OutputsFile!)
                .Where(line => line.Length > 0)
                .Select(path =>
                {
                    var item = new TaskItem(path);
                    item.SetMetadata("Recipe", Recipe);
                    return (ITaskItem)item;
                })
                .ToArray();
        }
        return ok && !Log.HasLoggedErrors;
    }

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        // The last line of stdout is the JSON summary: keep it out of the build log unless asked for detail.
        if (singleLine.StartsWith("{", StringComparison.Ordinal))
        {
            Log.LogMessage(MessageImportance.Low, singleLine);
            return;
        }
        // Only the tool's own diagnostics (error/warning RCPnnnn) are errors and warnings. A node's log tail may hold
        // anything, "| error: ..." included, which MSBuild's canonical-error parsing would turn into spurious errors;
        // the tool already put the tail's last lines into the node's one RCP0100 error.
        if (singleLine.IndexOf(": error RCP", StringComparison.Ordinal) >= 0 || singleLine.IndexOf(": warning RCP", StringComparison.Ordinal) >= 0)
        {
            base.LogEventsFromTextOutput(singleLine, messageImportance);
            return;
        }
        _lastLines.Enqueue(singleLine);
        while (_lastLines.Count > 5) _lastLines.Dequeue();
        Log.LogMessage(messageImportance, singleLine);
    }

    private readonly Queue<string> _lastLines = new();

    /// <summary>
    /// The tool failed without saying why in a form MSBuild shows (it could not start, or `dotnet tool run` failed):
    /// one error with its last lines instead of MSB6006's bare exit code.
    /// </summary>
    protected override bool HandleTaskExecutionErrors()
    {
        if (Log.HasLoggedErrors) return false;
        var said = string.Join(" | ", _lastLines.Where(l => l.Trim().Length > 0).Select(l => l.Trim()));
        Log.LogError(null, "RCP0201", null, Recipe, 0, 0, 0, 0,
            $"recipes exited with code {ExitCode}{(said.Length > 0 ? ": " + said : "")}");
        return false;
    }

    /// <summary>
    /// With the default prefix (<c>tool run recipes</c>) the tool must be a local tool of this project: a manifest
    /// (<c>.config/dotnet-tools.json</c> or <c>dotnet-tools.json</c>) at or above the project that lists
    /// <c>recipes.tool</c>. Without one, <c>dotnet</c> only exits with code 1; this says what to do.
    /// </summary>
    private string? MissingLocalTool()
    {
        if (!ToolPrefix.Trim().StartsWith("tool run", StringComparison.Ordinal)) return null;
        const string Fix = "run 'dotnet new tool-manifest' and 'dotnet tool install Recipes.Tool' in the project folder (with the folder of the Recipes packages as a package source), "
            + "or set the RecipesToolPrefix property to the path of recipes.dll";
        var start = GetWorkingDirectory() ?? Directory.GetCurrentDirectory();
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            foreach (var manifest in new[] { Path.Combine(directory.FullName, ".config", "dotnet-tools.json"), Path.Combine(directory.FullName, "dotnet-tools.json") })
            {
                if (!File.Exists(manifest)) continue;
                var text = File.ReadAllText(manifest);
                if (text.IndexOf("\"recipes.tool\"", StringComparison.OrdinalIgnoreCase) >= 0) return null;
                // dotnet looks further up unless a manifest says it is the root.
                if (System.Text.RegularExpressions.Regex.IsMatch(text, "\"isRoot\"\\s*:\\s*true"))
                    return $"the recipes tool is not in the tool manifest {manifest}; {Fix}";
            }
        return $"the recipes tool is not installed for this project (no dotnet-tools.json at or above {start}); {Fix}";
    }
}
