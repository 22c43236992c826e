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

    /// <summary>
    /// The file name and recipe name of the smallest dam break a graph network trains on: ci.yaml at twice the particle
    /// spacing and a quarter of the time (about 50 particles per block, 5 s to simulate against ci.yaml's 95 s). For the
    /// tests that pin what training does with any data (determinism, resumption, divergence), not whether it learns.
    /// </summary>
    public const string DamBreakTinyRecipe = "tiny.yaml";

    /// <summary>The recipe name of <see cref="DamBreakTinyRecipe"/>: its outputs are under out/dam-break-tiny.</summary>
    public const string DamBreakTinyName = "dam-break-tiny";

    private static readonly Lazy<string> DamBreakSmallest = new(() => Filled("dam-break", DamBreakTinyRecipe, WithDamBreakTiny));

    /// <summary><see cref="DamBreakTinyRecipe"/>'s four trajectories and its dataset.</summary>
    public static string DamBreakTiny => DamBreakSmallest.Value;

    /// <summary>Copies recipes/dam-break into the workspace and writes <see cref="DamBreakTinyRecipe"/> beside ci.yaml.</summary>
    public static void WithDamBreakTiny(Workspace ws)
    {
        ws.CopyRecipe("dam-break");
        ws.Write(DamBreakTinyRecipe, $$"""
            include: ci.yaml
            recipe: {{DamBreakTinyName}}
            stages:
              simulate: { spacing: 0.04, duration: 0.4 }
              dataset: { connectivity_radius: 0.09 }
            """);
    }

    private static string Filled(string recipeDirectory, string recipe, Action<Workspace>? prepare = null) => FixtureClock.Measure($"shared cache: {recipeDirectory}/{recipe} through the dataset", () =>
    {
        var cache = Path.Combine(Root, recipeDirectory + "-" + Path.GetFileNameWithoutExtension(recipe));
        using var ws = new Workspace(cache);
        if (prepare is null)
        {
            ws.CopyRecipe(recipeDirectory);
        }
        else
        {
            prepare(ws);
        }
        BuildAssert.NoFailures(ws.BuildThrough(StageNames.Dataset, recipe));
        return cache;
    });
}
