using System.Text;
using CsCheck;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// The values an attacker or a careless user puts where the tool expects something ordinary: huge and non-finite
/// numbers, control characters and ANSI escapes, paths that lead out, markup, deep nesting, YAML syntax. Generators
/// draw from them so that a few thousand cases hit each class many times.
/// </summary>
public static class Nasty
{
    public static readonly string[] Numbers =
    [
        "0", "-1", "1.5", "1e20", "-1e20", "1e400", "-1e400", "1e999", "NaN", "Infinity", "-Infinity", ".nan", ".inf", "-.inf",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "2147483648", "1099511627776",
        "99999999999999999999999999", "0x10", "1_000", "4.9e-324", "-0",
    ];

    public static readonly string[] Texts =
    [
        "", " ", "a", "\u001b[31mRED\u001b[0m", "\u001b]0;pwned\u0007", "\u001b[2J\u001b[H", "\r", "\n", "\r\n", "\t", "\u0000", "\u202e", "\u009b31m",
        "\ufeff", "..", "../..", "../../outside/victim", "../../../outside/victim", "../../../../outside/victim", "../../../../../outside/victim", "../../../../../../etc/passwd", "/etc/passwd", "/dev/zero", "a//b", "./a", "a/./b",
        "C:\\x", "a\\b", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "|", "`", "``code``", "*_[x](javascript:y)_*",
        "&amp;", "'", "\"", "\\", "{{ a }}", "${HOME}", "$(touch pwned)", "HEAD~99999999999", "HEAD^", "~", "null", "true", "yes",
        "- a", "? x", ": y", "*alias", "&anchor x", "!!binary AAAA", "<<: *x", "---", "...", "# comment", "%YAML 1.2",
        "é", "日本", "\ud83d\ude00", "\ud800",
    ];

    /// <summary>A long text (past path and segment limits, near message limits).</summary>
    public static readonly string Long = new('x', 5000);

    /// <summary>Nesting past every depth limit (JSON 64, YAML 100).</summary>
    public static readonly string DeepJson = new string('[', 200) + new string(']', 200);

    public static readonly string DeepYaml = new string('[', 150) + new string(']', 150);

    /// <summary>Any of the texts, numbers or long and deep values.</summary>
    public static readonly Gen<string> Token = Gen.Frequency(
        (6, Gen.OneOf(Texts)),
        (4, Gen.OneOf(Numbers)),
        (1, Gen.OneOf(Long, DeepJson, DeepYaml)),
        (2, Gen.String[Gen.Char, 0, 12]));

    /// <summary>JSON values of every type, the wrong one for most fields.</summary>
    public static readonly string[] JsonValues =
    [
        "0", "-1", "1.5", "1e20", "-1e20", "1e400", "1e999", "-1e999", "9223372036854775808", "2147483648", "true", "false", "null",
        "\"\"", "\"x\"", "\"../../outside/victim\"", "\"/etc/passwd\"", "\"\\u001b[31mRED\\u001b]0;t\\u0007\"", "\"a\\nb\"", "\"NaN\"", "\"Infinity\"",
        "\"<script>alert(1)</script>\"", "\"|`*_[x]\"", "\"0123456789abcdef0123456789abcdef\"", "\"HEAD~99999999999\"",
        "[]", "[1,2]", "[\"a\",\"a\"]", "[null]", "{}", "{\"a\":1}", "{\"name\":5}", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]",
    ];

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
