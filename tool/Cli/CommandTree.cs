using System.CommandLine;
using Recipes.Diagnostics;
using Recipes.Execution;

namespace Recipes.Cli;

/// <summary>The <c>recipes</c> command line: parse, then run the chosen command; usage errors exit with 2.</summary>
public static class CommandTree
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Recipes: declarative, content-hashed build graphs for synthetic physics-ML data.");
        root.Subcommands.Add(BuildCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(GraphCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(DiffCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(SchemaCommand.Create());
        root.Subcommands.Add(CacheCommand.Create());
        root.Subcommands.Add(SetupCommand.Create());
        root.Subcommands.Add(RunNodeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(WhyCommand.Create());
        root.Subcommands.Add(ExportProvenanceCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine("error: " + error.Message);
            Console.Error.WriteLine("Run 'recipes --help' for usage.");
            return ExitCodes.InvalidRecipe;
        }
        try
        {
            // Ctrl-C is handled by the build itself so that running nodes can stop cleanly.
            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
        }
        catch (RecipeException e)
        {
            return RecipeSession.Report(e);
        }
        catch (Plugins.Files.RefusedFileException e)
        {
            // A file the user supplied or placed (a project file, a bench file, a record they pointed at) that the bounded
            // readers refuse: one line naming it and what is wrong, exit 2 like any other bad input.
            Console.Error.WriteLine("error: " + Escaping.TerminalText.Clean(e.Message));
            return ExitCodes.InvalidRecipe;
        }
        catch (Exception e) when (Cache.CacheLocation.IsReadOnly(e))
        {
            // An unwritable cache or output directory (permissions, or a read-only file system): the user's setting to fix,
            // so a usage error; the message names the path.
            Console.Error.WriteLine($"error: {e.Message}; check that the cache (--cache) and output (--out) directories are writable");
            return ExitCodes.InvalidRecipe;
        }
        catch (Exception e) when (IoFailure(e) is { } io)
        {
            // Disk full, a vanished directory: one line, never a stack trace. Writes are atomic, so nothing is half-written,
            // and every node finished before the failure is in the cache for the next build.
            Console.Error.WriteLine($"error: {io.Message}{(io.Message.Contains("No space left", StringComparison.Ordinal) ? "; free space and build again (finished nodes are kept)" : "")}");
            return ExitCodes.NodeFailed;
        }
    }

    /// <summary>The I/O failure behind <paramref name="e"/> (also inside the aggregate of a parallel copy), or null.</summary>
    private static IOException? IoFailure(Exception e) => e switch
    {
        IOException io => io,
        AggregateException many => many.Flatten().InnerExceptions.OfType<IOException>().FirstOrDefault(),
        _ => null,
    };
}
