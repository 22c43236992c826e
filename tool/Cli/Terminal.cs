using Spectre.Console;

namespace Recipes.Cli;

/// <summary>Where human output goes: progress to stderr, results to stdout; colour and live bars only on a terminal.</summary>
public static class Terminal
{
    public static bool IsInteractive =>
        !Console.IsOutputRedirected && !Console.IsErrorRedirected &&
        !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static IAnsiConsole Error { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
        Ansi = IsInteractive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = IsInteractive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
    });

    public static IAnsiConsole Out { get; } = Create(Console.Out);

    private static IAnsiConsole Create(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = IsInteractive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsInteractive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        // Logs have no terminal width; tables should not wrap at 80 columns there.
        if (!IsInteractive) console.Profile.Width = 160;
        return console;
    }
}
