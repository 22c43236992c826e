namespace Recipes.Adaptive;

/// <summary>How far an adaptive sweep is known: the rounds whose selections are in the cache (0: only the initial design).</summary>
public sealed record AdaptiveFrontier(int ChosenRounds);
