using Recipes.Plugins;

namespace Recipes.Tests.Support;

/// <summary>
/// Caches that several test classes build on, each filled once per test run with what they all need (the CI-size
/// simulations and dataset of a shipped recipe), so that no test pays for the same simulations twice. Tests build in
/// workspaces of their own on top of them (<see cref="Workspace(string?)"/>): the engine allows concurrent builds on one
/// cache, and a test's own nodes (training with its settings) are keyed by their own inputs as always.
/// </summary>
public static class SharedCaches
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "recipes-tests", "shared-" + Guid.NewGuid().ToString("N")[..8]);

    static SharedCaches() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    };

    private static readonly Lazy<string> DamBreak = new(() => Filled("dam-break", "ci.yaml"));

    /// <summary>recipes/dam-break/ci.yaml's four trajectories and its dataset.</summary>
    public static string DamBreakCi => DamBreak.Value;

    private static string Filled(string recipeDirectory, string recipe) => FixtureClock.Measure($"shared cache: {recipeDirectory}/{recipe} through the dataset", () =>
    {
        var cache = Path.Combine(Root, recipeDirectory + "-" + Path.GetFileNameWithoutExtension(recipe));
        using var ws = new Workspace(cache);
        ws.CopyRecipe(recipeDirectory);
        BuildAssert.NoFailures(ws.BuildThrough(StageNames.Dataset, recipe));
        return cache;
    });
}
