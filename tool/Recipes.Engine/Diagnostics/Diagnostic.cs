namespace Recipes.Diagnostics;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>One problem with a recipe, printed on one line so editors and MSBuild can jump to it.</summary>
public sealed record Diagnostic(SourceLocation Location, DiagnosticSeverity Severity, string Message)
{
    public override string ToString() =>
        $"{Location}: {(Severity == DiagnosticSeverity.Error ? "error" : "warning")}: {Message}";
}
