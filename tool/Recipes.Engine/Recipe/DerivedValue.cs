using Recipes.Diagnostics;
using Scriban;

namespace Recipes.Recipe;

/// <summary>A parameter computed per sample from the others by a Scriban expression.</summary>
public sealed record DerivedValue(string Name, string Expression, Template Compiled, SourceLocation Location);
