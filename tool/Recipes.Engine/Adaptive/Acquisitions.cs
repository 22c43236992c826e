namespace Recipes.Adaptive;

/// <summary>The spelled names of <see cref="AcquisitionKind"/>, as the recipe and selection.json write them.</summary>
public static class Acquisitions
{
    public static IReadOnlyList<string> Names { get; } = ["ensemble-variance", "space-filling", "variance-and-distance"];

    public static string Name(AcquisitionKind kind) => Names[(int)kind];

    public static AcquisitionKind? TryParse(string text)
    {
        var index = Names.ToList().IndexOf(text);
        return index < 0 ? null : (AcquisitionKind)index;
    }
}
