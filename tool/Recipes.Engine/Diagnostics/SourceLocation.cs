namespace Recipes.Diagnostics;

/// <summary>A position in a recipe, include, template or command line, printed as <c>file:line:col</c> (1-based).</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public static SourceLocation CommandLine(int argument) => new("(command line)", 1, argument);

    public override string ToString() => $"{File}:{Line}:{Column}";
}
