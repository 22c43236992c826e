namespace Recipes.Runs;

/// <summary>
/// One stage's tally in a run. <paramref name="Seconds"/> is wall time, from the first of its nodes starting to the last
/// finishing (0 when nothing ran); <paramref name="NodeSeconds"/> adds up its nodes' own times.
/// </summary>
public sealed record RunStage(string Stage, int Nodes, int Executed, int Cached, int Failed, int Skipped, double Seconds, double NodeSeconds);
