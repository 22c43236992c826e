namespace Recipes.Diagnostics;

/// <summary>The recipe is invalid; the CLI prints every diagnostic and exits with code 2.</summary>
public sealed class RecipeException : Exception
{
    public RecipeException(DiagnosticBag diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics.Items.OrderBy(d => d.Severity).Select(d => d.ToString())))
    {
        Diagnostics = diagnostics.Items.OrderBy(d => d.Location.File, StringComparer.Ordinal)
            .ThenBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ToList();
    }

    public RecipeException(SourceLocation location, string message)
        : this(Single(location, message)) { }

    public RecipeException() : this(new DiagnosticBag()) { }

    public RecipeException(string message) : this(new SourceLocation("(recipe)", 1, 1), message) { }

    public RecipeException(string message, Exception inner) : base(message, inner) => Diagnostics = [];

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    private static DiagnosticBag Single(SourceLocation location, string message)
    {
        var bag = new DiagnosticBag();
        bag.Error(location, message);
        return bag;
    }
}
