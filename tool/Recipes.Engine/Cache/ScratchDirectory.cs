namespace Recipes.Cache;

/// <summary>
/// Where one node runs: <c>work/</c> for its own use, <c>out/</c> for what it produces and <c>log.txt</c>, all inside
/// the cache's <c>tmp/</c> so finished outputs reach the store by rename. Handed out by a <see cref="ScratchPool"/>.
/// </summary>
public sealed record ScratchDirectory(string Root)
{
    public string Work { get; } = Path.Combine(Root, "work");
    public string Out { get; } = Path.Combine(Root, "out");
    public string Log { get; } = Path.Combine(Root, "log.txt");
}
