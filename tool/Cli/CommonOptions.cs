using System.CommandLine;

namespace Recipes.Cli;

/// <summary>Options shared by several commands, defined once so their names and help never drift apart.</summary>
public static class CommonOptions
{
    public static Argument<string> Recipe() => new("recipe") { Description = "The recipe file (YAML)." };

    public static Option<string?> Cache() => new("--cache") { Description = "Cache directory (default: $RECIPES_CACHE, else .recipes/)." };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override a scalar: PATH=VALUE, e.g. --set parameters.samples=10 (repeatable).",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON (the last line of stdout)." };
}
