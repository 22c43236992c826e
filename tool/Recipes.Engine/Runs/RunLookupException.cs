namespace Recipes.Runs;

/// <summary>A run reference (<c>HEAD~2</c>, an id or a prefix) that names no single run; the message says which and why.</summary>
public sealed class RunLookupException(string message) : Exception(message);
