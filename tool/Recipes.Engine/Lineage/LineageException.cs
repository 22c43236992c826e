namespace Recipes.Lineage;

/// <summary>
/// A question <c>recipes why</c> cannot answer because of its input (a path outside out/, a file no node made, an item
/// the file does not hold, no cache yet): one line for the user, exit 2.
/// </summary>
public sealed class LineageException(string message) : Exception(message);
