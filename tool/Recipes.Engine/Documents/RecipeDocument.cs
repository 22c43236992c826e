namespace Recipes.Documents;

/// <summary>The recipe's YAML after includes and <c>--set</c> overrides, with every file it was read from.</summary>
public sealed record RecipeDocument(string RecipePath, DocMapping Root, IReadOnlyList<string> SourceFiles);
