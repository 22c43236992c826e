namespace Recipes.Plugins;

/// <summary>The spelling of <see cref="DeviceKind"/> in recipes, on the command line and in logs.</summary>
public static class DeviceKinds
{
    public static IReadOnlyList<string> Names { get; } = ["auto", "cpu", "cuda"];

    public static DeviceKind Parse(string text) => text switch
    {
        "auto" => DeviceKind.Auto,
        "cpu" => DeviceKind.Cpu,
        "cuda" => DeviceKind.Cuda,
        _ => throw new FormatException($"device '{text}' is not one of {string.Join(", ", Names)}"),
    };

    /// <summary>Parses a spelling, or returns null (the recipe schema reports a wrong one with its location).</summary>
    public static DeviceKind? TryParse(string text) => Names.Contains(text) ? Parse(text) : null;

    public static string Name(this DeviceKind kind) => Names[(int)kind];
}
