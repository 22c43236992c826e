namespace Recipes.Runs;

/// <summary>A node that differs: <c>changed</c> (both have it, different keys or specs), <c>only_a</c> or <c>only_b</c>, and why.</summary>
public sealed record NodeChange(string Id, string Stage, string Change, IReadOnlyList<string> Reasons);
