namespace Recipes.Cache;

/// <summary>One output of a node: its name relative to the node, content hash and size.</summary>
public sealed record OutputFile(string Name, string Hash, long Size);
