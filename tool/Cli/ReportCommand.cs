using System.CommandLine;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Plugins.Files;
using Recipes.Report;

namespace Recipes.Cli;

/// <summary><c>recipes report RECIPE [-o report.html]</c>: one self-contained HTML page about the recipe's last build.</summary>
public static class ReportCommand
{
    public const string DefaultFileName = "report.html";

    public static Command Create()
    {
        var recipe = CommonOptions.Recipe();
        var cache = CommonOptions.Cache();
        var set = CommonOptions.Set();
        var outRoot = new Option<string?>("--out") { Description = "Root of materialized outputs the pictures come from (default: out/ of the project)." };
        var output = new Option<string?>("--output", "-o") { Description = $"Where to write the page (default: <out>/<recipe>/{DefaultFileName})." };
        var command = new Command("report", "Write one self-contained HTML page (no network, pictures inlined) about the recipe's last build.")
        {
            recipe, cache, set, outRoot, output,
        };
        command.SetAction(parse =>
        {
            RecipeSession session;
            try
            {
                session = RecipeSession.Open(parse.GetValue(recipe)!, parse.GetValue(set) ?? [], parse.GetValue(cache));
            }
            catch (RecipeException e)
            {
                return RecipeSession.Report(e);
            }
            var path = Write(session, parse.GetValue(outRoot) ?? session.Project.DefaultOutput, parse.GetValue(output));
            Console.Out.WriteLine($"wrote {DisplayPath.Of(path)}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Writes the report (atomically) and returns its full path; <c>build --report</c> calls this too.</summary>
    public static string Write(RecipeSession session, string outputRoot, string? file)
    {
        var path = Path.GetFullPath(file ?? Path.Combine(outputRoot, session.Recipe.Name, DefaultFileName));
        var input = ReportCollector.Collect(session, outputRoot, DateTime.UtcNow);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, RecipeReport.Build(input));
        return path;
    }
}
