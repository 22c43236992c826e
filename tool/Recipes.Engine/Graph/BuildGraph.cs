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

    /// <summary>A part of the recipe's graph (<see cref="Subset"/>): what it leaves out is not stale, only not asked for.</summary>
    public bool IsPart { get; private init; }
    public IReadOnlyList<Sample> Samples { get; }
    public IReadOnlyList<GraphNode> Nodes { get; }

    private Dictionary<string, GraphNode>? _byId;

    public GraphNode? Find(string id) => (_byId ??= Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal)).GetValueOrDefault(id);

    public IEnumerable<IGrouping<string, GraphNode>> ByStage() => Nodes.GroupBy(n => n.StageName);

    /// <summary>
    /// The given nodes and everything they depend on, as a graph of its own (copies of the nodes, linked among
    /// themselves only): what <c>run-node</c>, <c>bench</c> and the cluster executor build.
    /// </summary>
    public BuildGraph Subset(IEnumerable<string> ids)
    {
        var keep = new HashSet<GraphNode>();
        var stack = new Stack<GraphNode>(ids.Select(id => Find(id) ?? throw new ArgumentException($"no node '{id}' in the graph of {Recipe.Name}", nameof(ids))));
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!keep.Add(node)) continue;
            foreach (var dependency in node.Dependencies) stack.Push(dependency);
        }
        var copies = new Dictionary<GraphNode, GraphNode>();
        var ordered = Nodes.Where(keep.Contains).ToList();
        foreach (var node in ordered)
        {
            var copy = new GraphNode
            {
                Id = node.Id,
                Stage = node.Stage,
                Sample = node.Sample,
                Shard = node.Shard,
                Target = node.Target,
                ResumeFamily = node.ResumeFamily,
                Settings = node.Settings,
                Spec = node.Spec,
                RecipeSeed = node.RecipeSeed,
                Resources = node.Resources,
                Files = node.Files,
                Streaming = node.Streaming,
            };
            foreach (var dependency in node.Dependencies)
            {
                GraphNode.Link(copies[dependency], copy);
            }
            copies[node] = copy;
        }
        return new BuildGraph(Recipe, Samples, ordered.Select(n => copies[n]).ToList()) { IsPart = true };
    }
}
