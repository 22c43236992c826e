using Recipes.Cache;
using Recipes.Configuration;
using Recipes.Diagnostics;
using Recipes.Graph;
using Recipes.Recipe;
using Recipes.Registry;

namespace Recipes.Cli;

/// <summary>What most commands start from: the loaded recipe, its planned graph and the cache.</summary>
public sealed class RecipeSession
{
    private RecipeSession(RecipeDefinition recipe, BuildGraph graph, CacheStore cache, ProjectRoot project)
    {
        Recipe = recipe;
        Graph = graph;
        Cache = cache;
        Project = project;
    }

    public RecipeDefinition Recipe { get; }
    public BuildGraph Graph { get; }
    public CacheStore Cache { get; }

    /// <summary>Where the default cache, out/ and .recipes.json are (found from the recipe's location).</summary>
    public ProjectRoot Project { get; }

    public static PluginRegistry Registry { get; } = BuiltinPlugins.Create();

    public static RecipeDefinition LoadRecipe(string path, IReadOnlyList<string> sets) => new RecipeLoader(Registry).Load(path, sets);

    public static RecipeSession Open(string recipePath, IReadOnlyList<string> sets, string? cacheOption, bool probes = true) =>
        Open(LoadRecipe(recipePath, sets), cacheOption, probes);

    /// <summary>Plans a recipe already loaded (a command that looked at its settings first loads it once).</summary>
    /// <param name="probes">The command will probe the cache: the last build's snapshot is read while the graph is planned.</param>
    public static RecipeSession Open(RecipeDefinition recipe, string? cacheOption, bool probes = true)
    {
        BuildGraph graph;
        var project = ProjectRoot.Find(recipe.RecipePath);
        var cache = new CacheStore(CacheLocation.Resolve(cacheOption, project));
        if (probes) cache.States.Preload(recipe.Name, recipe.RecipePath);
        try
        {
            // An adaptive sweep is planned as far as its rounds' selections are cached; the build grows it further.
            graph = Adaptive.AdaptiveExpansion.Plan(recipe, cache);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is RecipeException))
        {
            throw (RecipeException)e.InnerExceptions[0];
        }
        return new RecipeSession(recipe, graph, cache, project);
    }

    /// <summary>
    /// Prints every diagnostic as <c>file:line:col: error: message</c>, or with <c>msbuild</c> as
    /// <c>file(line,col): error RCP0001: message</c> (which MSBuild and IDEs turn into clickable errors), and returns 2.
    /// </summary>
    public static int Report(RecipeException e, ErrorFormat errorFormat = ErrorFormat.Text)
    {
        var diagnostics = e.Diagnostics.Count > 0 ? e.Diagnostics.Select(d => Format(d, errorFormat)) : [e.Message];
        foreach (var line in diagnostics) Console.Error.WriteLine(line);
        var errors = e.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        Console.Error.WriteLine($"{Math.Max(1, errors)} error{(errors == 1 ? "" : "s")}; the recipe was not run.");
        return Execution.ExitCodes.InvalidRecipe;
    }

    public static void PrintWarnings(RecipeDefinition recipe, ErrorFormat errorFormat = ErrorFormat.Text)
    {
        foreach (var warning in recipe.Warnings) Console.Error.WriteLine(Format(warning, errorFormat));
    }

    public static string Format(Diagnostic diagnostic, ErrorFormat errorFormat)
    {
        // A message may quote the recipe (a name, a key, a value): shown, never executed, by the terminal.
        if (errorFormat != ErrorFormat.MSBuild) return Escaping.TerminalText.Clean(diagnostic.ToString());
        var file = diagnostic.Location.File.StartsWith('(') ? diagnostic.Location.File : Path.GetFullPath(diagnostic.Location.File);
        var kind = diagnostic.Severity == DiagnosticSeverity.Error ? "error RCP0001" : "warning RCP0002";
        return Escaping.TerminalText.Clean($"{file}({diagnostic.Location.Line},{diagnostic.Location.Column}): {kind}: {diagnostic.Message}");
    }
}
