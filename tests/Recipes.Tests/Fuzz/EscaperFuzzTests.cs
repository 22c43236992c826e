using CsCheck;
using Recipes.Escaping;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// docs/security.md, "Clean output": for any text (nasty tokens, random UTF-16 including lone surrogates and every
/// control character), the terminal escaper leaves nothing a terminal executes, the HTML escaper nothing markup
/// means, and the Markdown escaper no line break, open code span, link, tag or table cell.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class EscaperFuzzTests
{
    private static readonly Gen<string> Text = Gen.Frequency(
        (3, Nasty.Token),
        (3, Gen.String[Gen.Char, 0, 40]),
        (2, Gen.String[Gen.Char["\u001b\u0007\r\n\t\u009b\u202e`|<>&\"'\\*_[]~#-"], 0, 40]),
        (2, Nasty.Token.Array[1, 5].Select(parts => string.Concat(parts))));

    private static readonly System.Text.UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Fact]
    public void TheEscapersLeaveNothingTheirMediumExecutes() => FuzzBudget.Run("escapers", Text, text =>
    {
        var terminal = TerminalText.Clean(text);
        Assert.DoesNotContain(terminal, TerminalText.NeedsEscape);
        Assert.Equal(terminal, TerminalText.Clean(terminal));
        // Writable as UTF-8 without a replacement: no surrogate is left alone (the dataset card is written this way).
        _ = Strict.GetByteCount(terminal);
        Assert.DoesNotContain(TerminalText.Lines(text).Split('\n'), line => line.Any(TerminalText.NeedsEscape));

        var html = HtmlText.Encode(text);
        Assert.False(html.IndexOfAny(['<', '>', '"', '\'']) >= 0 || html.Any(TerminalText.NeedsEscape), $"html: {html}");
        Assert.DoesNotMatch("&(?!(amp|lt|gt|quot|#39|#[0-9]+);)", html);

        var markdown = MarkdownText.Text(text);
        Assert.DoesNotContain(markdown, TerminalText.NeedsEscape);
        Assert.DoesNotMatch(@"(?<!\\)[`|*_\[\]~<>]", markdown);

        var code = MarkdownText.Code(text, inTable: true);
        var fence = code.TakeWhile(c => c == '`').Count();
        Assert.True(fence > 0 && code.EndsWith(new string('`', fence), StringComparison.Ordinal));
        var inside = code[fence..^fence];
        Assert.DoesNotContain(new string('`', fence), inside);
        Assert.DoesNotMatch(@"(?<!\\)\|", inside);
        Assert.DoesNotContain(inside, TerminalText.NeedsEscape);
    }, ciCases: 20_000, FuzzSeed.For("escapers"));
}
