using Recipes.Escaping;

namespace Recipes.Engine.Tests.Escaping;

/// <summary>docs/security.md, "Clean output": one escaper per medium, each tested against what a crafted value holds.</summary>
public sealed class EscapersTests
{
    private const string Ansi = "\u001b[31mRED\u001b]0;title\u0007";

    [Fact]
    public void TheTerminalEscaperShowsControlsAndTheMarkupOneEscapesBracketsToo()
    {
        Assert.Equal("\\x1b[31mRED\\x1b]0;title\\x07", TerminalText.Clean(Ansi));
        Assert.Equal("\\x1b[[31mRED\\x1b]]0;title\\x07", TerminalText.Markup(Ansi));
        Assert.Equal("a\\x1b\nb", TerminalText.Lines("a\u001b\r\nb"));
        Assert.Equal("plain text, ünïcode", TerminalText.Clean("plain text, ünïcode"));
    }

    [Fact]
    public void TheHtmlEscaperEncodesMarkupQuotesAndControls()
    {
        Assert.Equal("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;a&quot; &amp; \\x1b", HtmlText.Encode("<script>alert('x')</script> \"a\" & \u001b"));
        Assert.Equal("[1,&quot;&lt;b&gt;&quot;]", HtmlText.Encode(System.Text.Json.Nodes.JsonNode.Parse("[1,\"<b>\"]")));
        Assert.Equal("", HtmlText.Encode((string?)null));
    }

    [Fact]
    public void TheMarkdownEscaperKeepsCodeSpansAndCellsClosed()
    {
        Assert.Equal("`angle`", MarkdownText.Code("angle"));
        Assert.Equal("``a`b``", MarkdownText.Code("a`b"));
        Assert.Equal("`` `a ``", MarkdownText.Code("`a"));
        Assert.Equal("````a```b````", MarkdownText.Code("a```b"));
        Assert.Equal("`a\\|b`", MarkdownText.Code("a|b", inTable: true));
        Assert.Equal("`a\\x0a| x |`", MarkdownText.Code("a\n| x |"));
        Assert.Equal("0.5", MarkdownText.Text("0.5"));
        Assert.Equal("-3e-05", MarkdownText.Text("-3e-05"));
        Assert.Equal("&lt;img src=x onerror=alert(1)&gt; \\| \\*b\\* \\[l\\]", MarkdownText.Text("<img src=x onerror=alert(1)> | *b* [l]"));
    }
}
