namespace Recipes.Plugins;

/// <summary>A semantic problem with one option of a stage's settings; the engine adds the file position.</summary>
public sealed record OptionProblem(string Option, string Message);
