using Recipes.Cache;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Materialization;
using Recipes.Recipe;
using Recipes.Reporting;
using Recipes.Cli;
using Recipes.Registry;

namespace Recipes.Tests.Support;

/// <summary>A scratch directory holding recipe files, a cache and an out/ tree, removed after the test.</summary>
public sealed class Workspace : IDisposable
{
    /// <param name="sharedCache">
    /// A cache directory outside the workspace that other tests use too (see <see cref="SharedCaches"/>): builds here
    /// find what they built (simulations, datasets) and add to it; the workspace's own files are still removed.
    /// </param>
    public Workspace(string? sharedCache = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "recipes-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        CacheDir = sharedCache ?? Path.Combine(Root, ".recipes");
    }

    public string Root { get; }
    public string CacheDir { get; }

    /// <summary>A workspace whose own cache starts as a copy of <paramref name="cache"/> (to rebuild what it holds on top of the same simulations).</summary>
    public static Workspace CopyingCache(string cache)
    {
        var ws = new Workspace();
        foreach (var file in Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(cache, file);
            // Results are shared, training checkpoints are not: another test's checkpoints would let a training here
            // resume from that test's run, and a test watching for its own first checkpoint would see theirs.
            if (relative.StartsWith("tmp", StringComparison.Ordinal) || relative.StartsWith("checkpoints", StringComparison.Ordinal)) continue;
            var target = Path.Combine(ws.CacheDir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return ws;
    }
    public string OutDir => Path.Combine(Root, "out");

    public string Path_(string relative) => Path.Combine(Root, relative);

    /// <summary>Copies a recipe directory of the repository (recipes/NAME) into the workspace.</summary>
    public void CopyRecipe(string name)
    {
        var source = Path.Combine(Recipes.Tests.Cli.MalformedRecipeTests.RepoRoot(), "recipes", name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    public string Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"));
        return path;
    }

    /// <summary>The plug-ins builds use; tests may register stand-ins.</summary>
    public PluginRegistry Registry { get; set; } = BuiltinPlugins.Create();

    public IBuildReporter Reporter { get; set; } = NullReporter.Instance;

    public RecipeDefinition Load(string recipe = "recipe.yaml", params string[] sets) =>
        new RecipeLoader(Registry).Load(Path.Combine(Root, recipe), sets);

    /// <summary>Builds in-process with the real engine, cache and materializer.</summary>
    public BuildResult Build(string recipe = "recipe.yaml", params string[] sets) => BuildWith(new BuildOptions { Jobs = 2, OutputRoot = OutDir }, recipe, sets);

    /// <summary>Builds only the nodes of the stages up to <paramref name="lastStage"/> (e.g. the dataset, without training).</summary>
    public BuildResult BuildThrough(string lastStage, string recipe = "recipe.yaml", params string[] sets) =>
        BuildWith(new BuildOptions { Jobs = 2, OutputRoot = OutDir }, recipe, sets,
            graph => graph.Subset(graph.Nodes.Where(n => Recipes.Plugins.StageNames.PipelineOrder.Compare(n.StageName, lastStage) <= 0).Select(n => n.Id)));

    public BuildResult BuildWith(BuildOptions options, string recipe = "recipe.yaml", params string[] sets) => BuildWith(options, recipe, sets, null);

    private BuildResult BuildWith(BuildOptions options, string recipe, string[] sets, Func<BuildGraph, BuildGraph>? select)
    {
        var definition = Load(recipe, sets);
        var cache = new CacheStore(CacheDir);
        // As the build command does: an adaptive sweep is planned from the cache and grows while it builds.
        var graph = Recipes.Adaptive.AdaptiveExpansion.Plan(definition, cache);
        if (select is not null) graph = select(graph);
        var result = Recipes.Adaptive.AdaptiveBuild.BuildAsync(new BuildEngine(cache), cache, graph, options with { OutputRoot = OutDir }, Reporter, CancellationToken.None)
            .GetAwaiter().GetResult();
        if (!result.Summary.Interrupted) new OutputMaterializer(cache).Materialize(result, OutDir);
        return result;
    }

    public static int Executed(BuildResult result, string stage) =>
        result.Summary.Stages.TryGetValue(stage, out var counts) ? counts.Executed : 0;

    public void Dispose()
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
                File.SetAttributes(file, FileAttributes.Normal);
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
