namespace Recipes.Plugins;

/// <summary>A file a node reads: its name relative to the producing node's outputs, a readable path and its content hash.</summary>
public sealed record Artifact(string Name, string Path, string Hash);
