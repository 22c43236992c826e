using Recipes.Escaping;

namespace Recipes.Tests.Fuzz;

/// <summary>The assertions every target makes about what the tool would show a user: one line, and nothing a terminal would execute.</summary>
public static class Contract
{
    /// <summary>A message that reaches a terminal as it is: one line, every control character already shown as an escape.</summary>
    public static void OneCleanLine(string? message, string what)
    {
        Assert.False(string.IsNullOrWhiteSpace(message), $"{what}: an empty message");
        Assert.False(message!.Any(TerminalText.NeedsEscape), $"{what}: a raw control character in '{TerminalText.Clean(message)}'");
    }

    /// <summary>A message that the CLI passes through <see cref="TerminalText.Clean"/> before printing: one line once cleaned, which means no line break of its own.</summary>
    public static void OneLine(string? message, string what)
    {
        Assert.False(string.IsNullOrWhiteSpace(message), $"{what}: an empty message");
        Assert.False(message!.Contains('\n', StringComparison.Ordinal), $"{what}: more than one line in '{TerminalText.Clean(message)}'");
    }

    /// <summary>Output of a CLI run: an exit code the README documents and no trace of an unhandled exception.</summary>
    public static void CliAnswer(Support.Cli.Result result, string what)
    {
        Assert.True(result.ExitCode is 0 or 1 or 2, $"{what}: exit {result.ExitCode}: {TerminalText.Clean(result.Stderr)}");
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.False((result.Stdout + result.Stderr).Contains('\u001b', StringComparison.Ordinal), $"{what}: a raw escape character reached the terminal: {TerminalText.Clean(result.Stderr)}");
        if (result.ExitCode != 0) Assert.False(string.IsNullOrWhiteSpace(result.Stderr), $"{what}: exit {result.ExitCode} without a message");
    }
}
