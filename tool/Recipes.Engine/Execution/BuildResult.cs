using Recipes.Graph;

namespace Recipes.Execution;

public sealed record BuildResult(BuildGraph Graph, NodeStates States, BuildSummary Summary);
