namespace Recipes.Execution;

public sealed record StageCounts(int Nodes, int Executed, int Cached, int Failed, int Skipped);
