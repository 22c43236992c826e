using Recipes.Recipe;
using Recipes.Sampling;

namespace Recipes.Graph;

/// <summary>The planned nodes of one recipe in topological order.</summary>
public sealed class BuildGraph
{
    public BuildGraph(RecipeDefinition recipe, IReadOnlyList<Sample> samples, IReadOnlyList<GraphNode> nodes)
    {
        Recipe = recipe;
        Samples = samples;
        Nodes = nodes;
        for (var i = 0; i < nodes.Count; i++) nodes[i].Index = i;
    }

    public RecipeDefinition Recipe { get; }
    public IReadOnlyList<Sample> Samples { get; }
    public IReadOnlyList<GraphNode> Nodes { get; }

    private Dictionary<string, GraphNode>? _byId;

    public GraphNode? Find(string id) => (_byId ??= Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal)).GetValueOrDefault(id);

    public IEnumerable<IGrouping<string, GraphNode>> ByStage() => Nodes.GroupBy(n => n.StageName);
}
