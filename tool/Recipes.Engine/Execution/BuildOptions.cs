namespace Recipes.Execution;

public sealed record BuildOptions
{
    public int Jobs { get; init; } = Environment.ProcessorCount;
    public int Gpus { get; init; }
    public bool KeepGoing { get; init; }
    public Plugins.DeviceKind Device { get; init; } = Plugins.DeviceKind.Auto;

    /// <summary>Root of materialized outputs; artifacts go to <c>&lt;OutputRoot&gt;/&lt;recipe&gt;/</c>.</summary>
    public string OutputRoot { get; init; } = "out";
}
