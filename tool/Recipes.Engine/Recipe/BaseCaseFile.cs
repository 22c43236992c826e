using Scriban;

namespace Recipes.Recipe;

/// <summary>A file of the base case: rendered per sample when it is a template, copied otherwise.</summary>
public sealed record BaseCaseFile(string RelativePath, string FullPath, string OutputName, Template? Template)
{
    public bool IsTemplate => Template is not null;
}
