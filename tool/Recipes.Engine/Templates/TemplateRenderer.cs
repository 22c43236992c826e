using System.Globalization;
using Recipes.Diagnostics;
using Recipes.Plugins;
using Scriban;
using Scriban.Parsing;
using Scriban.Syntax;

namespace Recipes.Templates;

/// <summary>Parses and renders Scriban templates; every error carries the template's file:line:col.</summary>
public static class TemplateRenderer
{
    public static Template Parse(string text, string displayPath, DiagnosticBag diagnostics, SourceLocation? origin = null, bool expression = false)
    {
        var lexer = expression ? new LexerOptions { Mode = ScriptMode.ScriptOnly } : LexerOptions.Default;
        var template = Template.Parse(text, displayPath, lexerOptions: lexer);
        foreach (var message in template.Messages)
        {
            if (message.Type != ParserMessageType.Error) continue;
            diagnostics.Error(Locate(message.Span, displayPath, origin), "template error: " + message.Message);
        }
        return template;
    }

    public static string Render(Template template, ValueMap values, string displayPath)
    {
        var context = NewContext(values);
        try
        {
            return template.Render(context);
        }
        catch (ScriptRuntimeException e)
        {
            throw new TemplateException(Locate(e.Span, displayPath, null), e.OriginalMessage);
        }
    }

    public static object? Evaluate(Template expression, ValueMap values, SourceLocation origin)
    {
        var context = NewContext(values);
        try
        {
            return expression.Evaluate(context);
        }
        catch (ScriptRuntimeException e)
        {
            throw new RecipeException(Locate(e.Span, origin.File, origin), "derived value error: " + e.OriginalMessage);
        }
    }

    private static TemplateContext NewContext(ValueMap values)
    {
        var context = new TemplateContext
        {
            StrictVariables = true,
            MemberRenamer = member => member.Name,
            LoopLimit = 1_000_000,
        };
        context.PushCulture(CultureInfo.InvariantCulture);
        context.PushGlobal(ScriptValues.ToScriptObject(values));
        return context;
    }

    public static SourceLocation LocationOf(SourceSpan span, string file) => Locate(span, file, null);

    /// <summary>Scriban counts from 0; an expression inside a YAML scalar is offset by the scalar's own position.</summary>
    private static SourceLocation Locate(SourceSpan span, string file, SourceLocation? origin)
    {
        // Errors at the end of input come without a position; point at the start then.
        var line = Math.Max(0, span.Start.Line) + 1;
        var column = span.Start.Line < 0 ? 1 : Math.Max(0, span.Start.Column) + 1;
        if (origin is { } o)
        {
            column = line == 1 ? o.Column + column - 1 : column;
            line = o.Line + line - 1;
            file = o.File;
        }
        return new SourceLocation(file, Math.Max(1, line), Math.Max(1, column));
    }
}
