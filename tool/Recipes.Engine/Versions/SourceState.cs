namespace Recipes.Versions;

/// <summary>The Git commit a recipe's repository was at when a build read it, and whether its working tree differed from it.</summary>
public sealed record SourceState(string Commit, bool Dirty);
