using System.Text.Json.Nodes;

namespace Recipes.Plugins;

/// <summary>One setting a plugin reads: the engine validates it, fills the default, and documents it in the schema.</summary>
public sealed record OptionSpec(string Name, OptionType Type, string Description)
{
    public JsonNode? Default { get; init; }
    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
    public IReadOnlyList<string>? AllowedValues { get; init; }
    public bool Required { get; init; }

    /// <summary>Settings that only tune how a node runs, not what it produces (thread counts, devices): kept out of the action key.</summary>
    public bool AffectsOutput { get; init; } = true;

    public static OptionSpec Int(string name, string description, long? @default = null, double? min = null, double? max = null) =>
        new(name, OptionType.Integer, description) { Default = @default is null ? null : JsonValue.Create(@default.Value), Minimum = min, Maximum = max };

    public static OptionSpec Number(string name, string description, double? @default = null, double? min = null, double? max = null) =>
        new(name, OptionType.Number, description) { Default = @default is null ? null : JsonValue.Create(@default.Value), Minimum = min, Maximum = max };

    public static OptionSpec Text(string name, string description, string? @default = null, params string[] allowed) =>
        new(name, OptionType.String, description)
        {
            Default = @default is null ? null : JsonValue.Create(@default),
            AllowedValues = allowed.Length == 0 ? null : allowed,
        };

    public static OptionSpec Flag(string name, string description, bool @default) =>
        new(name, OptionType.Boolean, description) { Default = JsonValue.Create(@default) };
}
