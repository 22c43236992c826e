using Recipes.Diagnostics;

namespace Recipes.Documents;

public sealed class DocSequence : DocNode
{
    public DocSequence(SourceLocation location, List<DocNode> items) : base(location) => Items = items;

    public List<DocNode> Items { get; }

    public override string KindName => "list";

    public override DocNode Clone() => new DocSequence(Location, Items.Select(i => i.Clone()).ToList());
}
