namespace Recipes.Recipe;

public sealed record BaseCase(string Directory, string DisplayDirectory, IReadOnlyList<BaseCaseFile> Files);
