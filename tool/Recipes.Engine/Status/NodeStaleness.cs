using Recipes.Graph;

namespace Recipes.Status;

/// <summary>A stale node and every reason it will run.</summary>
public sealed record NodeStaleness(GraphNode Node, IReadOnlyList<string> Reasons);
