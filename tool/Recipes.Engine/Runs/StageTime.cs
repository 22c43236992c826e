namespace Recipes.Runs;

/// <summary>One stage side by side: node counts, and (for runs) wall seconds and nodes executed.</summary>
public sealed record StageTime(string Stage, int ANodes, int BNodes, double? ASeconds, double? BSeconds, int? AExecuted, int? BExecuted);
