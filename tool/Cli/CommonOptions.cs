using System.CommandLine;

namespace Recipes.Cli;

/// <summary>Options shared by several commands, defined once so their names and help never drift apart.</summary>
public static class CommonOptions
{
    public static Argument<string> Recipe() => new("recipe") { Description = "The recipe file (YAML)." };

    public static Option<string?> Cache()
    {
        var option = new Option<string?>("--cache") { Description = "Cache directory (default: $RECIPES_CACHE, else .recipes/)." };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { Length: > 0 } path && File.Exists(path))
                result.AddError($"--cache '{path}' is a file; give a directory (it is created if missing)");
        });
        return option;
    }

    /// <summary>
    /// A whole number of at least <paramref name="minimum"/>, checked when the command line is parsed (exit 2). The
    /// option parses its own text: left to the default converter, "abc" or 1099511627776 made the first read of the
    /// value throw ("Cannot parse argument") instead of reporting a usage error.
    /// </summary>
    public static Option<int?> AtLeast(this Option<int?> option, int minimum, int maximum = 65536)
    {
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                if (value >= minimum && value <= maximum) return (int)value;
                result.AddError($"{option.Name} must be between {minimum} and {maximum}, not {value}");
            }
            else result.AddError($"{option.Name} must be a whole number between {minimum} and {maximum}, not '{Escaping.TerminalText.Clean(text)}'");
            return null;
        };
        return option;
    }

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override a scalar: PATH=VALUE, e.g. --set parameters.samples=10 (repeatable).",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string[]> Target() => new("--target")
    {
        Description = "Build only this training target (and what it needs): a name under targets:, NAME@POINT for one point of a sweep, or default for stages.train (repeatable).",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON (the last line of stdout)." };
}
