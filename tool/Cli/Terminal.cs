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

    /// <summary>
    /// A live-display console on <paramref name="stderr"/>, the terminal's stderr kept open while fd 2 is captured
    /// (<see cref="Execution.NativeStderr"/>). Spectre cannot detect a terminal behind a plain writer, so the
    /// capabilities, colours and width <see cref="Error"/> found on the real stderr are carried over.
    /// </summary>
    public static IAnsiConsole Live(TextWriter stderr)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stderr),
            Ansi = Error.Profile.Capabilities.Ansi ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = (ColorSystemSupport)Error.Profile.Capabilities.ColorSystem,
            Interactive = Error.Profile.Capabilities.Interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        console.Profile.Width = Error.Profile.Width;
        console.Profile.Height = Error.Profile.Height;
        console.Profile.Capabilities.Links = Error.Profile.Capabilities.Links;
        console.Profile.Capabilities.Unicode = Error.Profile.Capabilities.Unicode;
        return console;
    }

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
