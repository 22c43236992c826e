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

    public static string Name(this DeviceKind kind) => Names[(int)kind];
}
