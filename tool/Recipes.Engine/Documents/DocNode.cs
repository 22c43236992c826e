using Recipes.Diagnostics;

namespace Recipes.Documents;

/// <summary>A YAML node that remembers where it was written, so every later error can point at it.</summary>
public abstract class DocNode
{
    protected DocNode(SourceLocation location) => Location = location;

    public SourceLocation Location { get; }

    public abstract string KindName { get; }

    /// <summary>A copy that can be edited (by <c>--set</c> or include merging) without touching the original.</summary>
    public abstract DocNode Clone();
}
