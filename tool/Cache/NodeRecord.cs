namespace Recipes.Cache;

/// <summary>What the last build of a recipe did with one node: the key it used and whether it failed.</summary>
public sealed record NodeRecord(string NodeId, string Key, bool Failed, string Message);
