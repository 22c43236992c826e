namespace Recipes.Targets;

/// <summary>The target (and sweep point) a train or evaluate node belongs to; null on the nodes of the unnamed target.</summary>
public sealed record TargetRef(string Name, string Point)
{
    /// <summary><c>NAME</c>, or <c>NAME@POINT</c> for a point of a sweep: the node ids' suffix and the folder under out/.</summary>
    public string Label => Point.Length == 0 ? Name : $"{Name}@{Point}";

    public override string ToString() => Label;
}
