using System.Text.Json.Nodes;
using Recipes.Recipe;

namespace Recipes.Targets;

/// <summary>
/// One point of a target: its train and evaluate stages with the point's values in their settings. Its
/// <see cref="Label"/> names its nodes (<c>train/NAME@LABEL</c>) and its folder under <c>out/</c>; its values, not its
/// position, decide its key, so adding a value to a sweep leaves every other point's key as it was.
/// </summary>
public sealed class SweepPoint
{
    /// <summary><c>learning_rate=0.001,latent_size=64</c>; empty for a target without a sweep.</summary>
    public required string Label { get; init; }

    /// <summary>The swept settings and this point's value of each, in the sweep's order.</summary>
    public required IReadOnlyList<KeyValuePair<string, JsonNode?>> Values { get; init; }

    public required StageDefinition Train { get; init; }
    public StageDefinition? Evaluate { get; init; }
}
