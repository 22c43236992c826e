namespace Recipes.Graph;

/// <summary>A source file a node reads, named by its path relative to the base case.</summary>
public sealed record FileInput(string Name, string FullPath, string Hash);
