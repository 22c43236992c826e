using System.Text;

namespace Recipes.Escaping;

/// <summary>
/// Text from recipes and files (a parameter's name or value, a node id, a stage's settings) as it goes into Markdown
/// (the dataset card): control characters and line breaks shown as <see cref="TerminalText"/> shows them, and the
/// characters Markdown or its embedded HTML give meaning to escaped, so a value cannot open a code span, a link, an HTML
/// tag, or a new table cell or row. The one Markdown escaper: what goes into the card goes through it.
/// </summary>
public static class MarkdownText
{
    /// <summary>
    /// Plain text in an inline position (mid-line or in a table cell, never at a line's start, where '#', '-' or '1.'
    /// would matter): the characters that open emphasis, code, links, HTML or a cell are escaped; numbers and ordinary
    /// words pass unchanged.
    /// </summary>
    public static string Text(string? text)
    {
        var clean = TerminalText.Clean(text);
        var result = new StringBuilder(clean.Length + 8);
        foreach (var c in clean)
        {
            switch (c)
            {
                case '<': result.Append("&lt;"); break;
                case '>': result.Append("&gt;"); break;
                case '&': result.Append("&amp;"); break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~':
                    result.Append('\\').Append(c);
                    break;
                default: result.Append(c); break;
            }
        }
        return result.ToString();
    }

    /// <summary>
    /// An inline code span holding <paramref name="text"/> verbatim: fenced by one more backtick than the longest run
    /// inside it, padded with spaces when it starts or ends with one. Inside a table cell a '|' would still end the cell
    /// (GitHub splits cells before it parses spans), so it is written as <c>\|</c>, which GitHub shows as '|'.
    /// </summary>
    public static string Code(string? text, bool inTable = false)
    {
        var clean = TerminalText.Clean(text);
        if (inTable) clean = clean.Replace("|", "\\|", StringComparison.Ordinal);
        var longest = 0;
        for (int i = 0, run = 0; i < clean.Length; i++)
        {
            run = clean[i] == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        var fence = new string('`', longest + 1);
        var pad = clean.Length == 0 || clean[0] == '`' || clean[^1] == '`' || clean[0] == ' ' ? " " : "";
        return fence + pad + clean + pad + fence;
    }
}
