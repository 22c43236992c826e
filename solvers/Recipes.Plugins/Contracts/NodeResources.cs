namespace Recipes.Plugins;

/// <summary>What one node holds while it runs: CPU threads out of <c>--jobs</c>, and GPU slots.</summary>
public sealed record NodeResources(int Threads, int Gpus)
{
    public static NodeResources OneThread { get; } = new(1, 0);
}
