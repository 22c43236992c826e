using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Plugins;

namespace Recipes.Recipe;

/// <summary>One configured stage: its implementation and settings (defaults filled in).</summary>
public sealed class StageDefinition
{
    public required string Stage { get; init; }
    public required IStagePlugin Plugin { get; init; }
    public required ValueMap Settings { get; init; }
    public required bool Materialize { get; init; }
    public int? Threads { get; init; }
    public DeviceKind? Device { get; init; }
    public required SourceLocation Location { get; init; }

    /// <summary>
    /// The directory relative paths in the settings resolve against: that of the file that declares them (an included
    /// recipe's scripts stay next to it), or null for the recipe's own directory.
    /// </summary>
    public string? BaseDirectory { get; init; }

    public string DirectoryOr(string recipeDirectory) => BaseDirectory ?? recipeDirectory;

    /// <summary>The settings that decide the outputs, i.e. the ones that enter the action key.</summary>
    public JsonObject KeySettings()
    {
        var result = new JsonObject();
        foreach (var (key, value) in Settings.Entries)
        {
            var option = Plugin.Options.Concat(Schema.StageSettings.EngineOptions(Stage)).FirstOrDefault(o => o.Name == key);
            if (option is { AffectsOutput: false }) continue;
            result[key] = value?.DeepClone();
        }
        return result;
    }
}
