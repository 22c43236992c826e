namespace Recipes.Plugins;

/// <summary>Declares <see cref="Setting{T}"/>s: the one place a setting's name, type, default and range are written.</summary>
public static class Settings
{
    public static Setting<int> Int(string name, string description, int @default, double? min = null, double? max = null, bool affectsOutput = true) =>
        new(OptionSpec.Int(name, description, @default, min, max) with { AffectsOutput = affectsOutput }, @default, (s, key, d) => s.GetInt(key, d));

    public static Setting<double> Number(string name, string description, double @default, double? min = null, double? max = null) =>
        new(OptionSpec.Number(name, description, @default, min, max), @default, (s, key, d) => s.GetDouble(key, d));

    public static Setting<string> Text(string name, string description, string @default, params string[] allowed) =>
        new(OptionSpec.Text(name, description, @default, allowed), @default, (s, key, d) => s.GetString(key, d));

    public static Setting<bool> Flag(string name, string description, bool @default) =>
        new(OptionSpec.Flag(name, description, @default), @default, (s, key, d) => s.GetBool(key, d));

    public static Setting<IReadOnlyList<double>> Numbers(string name, string description, params double[] @default) =>
        new(new OptionSpec(name, OptionType.NumberList, description) { Default = new System.Text.Json.Nodes.JsonArray([.. @default.Select(d => (System.Text.Json.Nodes.JsonNode?)d)]) },
            @default, (s, key, d) => s.TryGet(key, out var v) && v is not null ? s.GetDoubles(key) : d);

    public static Setting<IReadOnlyList<string>> Texts(string name, string description, params string[] @default) =>
        new(new OptionSpec(name, OptionType.StringList, description) { Default = new System.Text.Json.Nodes.JsonArray([.. @default.Select(d => (System.Text.Json.Nodes.JsonNode?)d)]) },
            @default, (s, key, d) => s.GetStrings(key, d));

    public static Setting<ValueMap> Map(string name, string description, System.Text.Json.Nodes.JsonObject @default) =>
        new(new OptionSpec(name, OptionType.Mapping, description) { Default = @default },
            new ValueMap(((System.Text.Json.Nodes.JsonObject)@default.DeepClone()).Select(p => KeyValuePair.Create(p.Key, p.Value))),
            (s, key, d) => s.Contains(key) ? s.GetMap(key) : d);

    // Settings without a default: null when the recipe leaves them out, and then absent from the action key too (a
    // setting with a default enters every node's key, so adding one later would make every cached result stale).

    public static Setting<double?> OptionalNumber(string name, string description, double? min = null, double? max = null) =>
        new(OptionSpec.Number(name, description, null, min, max), null, (s, key, d) => s.TryGet(key, out var v) && v is not null ? s.GetDouble(key) : d);

    public static Setting<int?> OptionalInt(string name, string description, double? min = null, double? max = null) =>
        new(OptionSpec.Int(name, description, null, min, max), null, (s, key, d) => s.TryGet(key, out var v) && v is not null ? s.GetInt(key) : d);

    public static Setting<string?> OptionalText(string name, string description) =>
        new(OptionSpec.Text(name, description), null, (s, key, d) => s.TryGet(key, out var v) && v is not null ? s.GetString(key) : d);

    public static Setting<IReadOnlyList<double>?> OptionalNumbers(string name, string description) =>
        new(new OptionSpec(name, OptionType.NumberList, description), null, (s, key, d) => s.TryGet(key, out var v) && v is not null ? s.GetDoubles(key) : d);

    public static Setting<IReadOnlyList<string>?> OptionalTexts(string name, string description) =>
        new(new OptionSpec(name, OptionType.StringList, description), null, (s, key, d) => s.TryGet(key, out var v) && v is not null ? s.GetStrings(key) : d);

    public static Setting<ValueMap?> OptionalMap(string name, string description) =>
        new(new OptionSpec(name, OptionType.Mapping, description), null, (s, key, d) => s.TryGet(key, out var v) && v is not null ? s.GetMap(key) : d);

    /// <summary>A mapping read as the recipe wrote it, in its order (an environment, a script's settings); null when left out.</summary>
    public static Setting<System.Text.Json.Nodes.JsonObject?> OptionalObject(string name, string description) =>
        new(new OptionSpec(name, OptionType.Mapping, description), null, (s, key, d) => s.TryGet(key, out var v) && v is System.Text.Json.Nodes.JsonObject o ? o : d);

    /// <summary>A setting of any shape, read as the recipe gave it (a null included); a null default: none, the plugin decides.</summary>
    public static Setting<System.Text.Json.Nodes.JsonNode?> Any(string name, string description, System.Text.Json.Nodes.JsonNode? @default) =>
        new(new OptionSpec(name, OptionType.Any, description) { Default = @default }, @default?.DeepClone(),
            (s, key, d) => s.TryGet(key, out var v) ? v : d);
}
