namespace Recipes.Diagnostics;

/// <summary>Collects every problem found while loading a recipe, so that one run reports them all.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];
    private readonly HashSet<(SourceLocation, string)> _seen = [];

    public IReadOnlyList<Diagnostic> Items => _items;
    public bool HasErrors => _items.Any(d => d.Severity == DiagnosticSeverity.Error);
    public IEnumerable<Diagnostic> Errors => _items.Where(d => d.Severity == DiagnosticSeverity.Error);
    public IEnumerable<Diagnostic> Warnings => _items.Where(d => d.Severity == DiagnosticSeverity.Warning);

    public void Error(SourceLocation location, string message) => Add(new Diagnostic(location, DiagnosticSeverity.Error, message));

    public void Warning(SourceLocation location, string message) => Add(new Diagnostic(location, DiagnosticSeverity.Warning, message));

    public void Add(Diagnostic diagnostic)
    {
        if (_seen.Add((diagnostic.Location, diagnostic.Message))) _items.Add(diagnostic);
    }

    public void ThrowIfErrors()
    {
        if (HasErrors) throw new RecipeException(this);
    }
}
