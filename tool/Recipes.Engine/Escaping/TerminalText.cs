using System.Globalization;
using System.Text;

namespace Recipes.Escaping;

/// <summary>
/// Text from files and arguments (a run record's id, a --set value, a metric name, a log line) as it may reach a
/// terminal: control characters (ANSI escape sequences, carriage returns, the C1 range, bidirectional overrides) are
/// shown as <c>\x1b</c>-style escapes instead of being executed, so a crafted value cannot redraw the screen or change
/// the window title. Printable text, including any script, passes unchanged.
/// </summary>
public static class TerminalText
{
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (!text.Any(NeedsEscape) && !HasUnpairedSurrogate(text)) return text;
        var result = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            // A surrogate alone is no character: a terminal shows garbage and a UTF-8 writer (File.WriteAllText, the
            // dataset card) throws on it (found by the fuzz suite), so it is shown as its code like a control.
            var unpaired = char.IsHighSurrogate(c) ? i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])
                : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1]));
            if (!NeedsEscape(c) && !unpaired) result.Append(c);
            else if (c <= 0xFF) result.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else result.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return result.ToString();
    }

    private static bool HasUnpairedSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }

    /// <summary>Text for a Spectre.Console markup cell or title: control characters shown as escapes, then markup brackets escaped.</summary>
    public static string Markup(string? text) => Spectre.Console.Markup.Escape(Clean(text));

    /// <summary>Several lines (a log tail): each cleaned, the line breaks kept.</summary>
    public static string Lines(string? text) => string.Join('\n', (text ?? "").Split('\n').Select(line => Clean(line.TrimEnd('\r'))));

    /// <summary>C0 and C1 controls (a tab included: it misaligns tables), DEL, and the Unicode format characters that reorder or hide text.</summary>
    public static bool NeedsEscape(char c) =>
        c < 0x20 || c is >= '\u007f' and <= '\u009f' || c is '\u200b' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') or '\ufeff';
}
