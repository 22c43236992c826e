using Recipes.Diagnostics;

namespace Recipes.Templates;

/// <summary>A template that failed to render, with where in the template it failed.</summary>
public sealed class TemplateException : Exception
{
    public TemplateException(SourceLocation location, string detail) : base($"{location}: template error: {detail}")
    {
        Location = location;
        Detail = detail;
    }

    public TemplateException() : this(new SourceLocation("(template)", 1, 1), "failed to render") { }
    public TemplateException(string message) : this(new SourceLocation("(template)", 1, 1), message) { }
    public TemplateException(string message, Exception inner) : base(message, inner) => Detail = message;

    public SourceLocation Location { get; }

    /// <summary>The error without its location.</summary>
    public string Detail { get; }
}
