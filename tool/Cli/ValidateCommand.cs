using System.CommandLine;
using Recipes.Diagnostics;
using Recipes.Execution;

namespace Recipes.Cli;

/// <summary><c>recipes validate RECIPE</c>: every problem as <c>file:line:col: message</c>; exit code 2 if any.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var recipe = CommonOptions.Recipe();
        var set = CommonOptions.Set();
        var command = new Command("validate", "Check a recipe without running it; report every error at once.") { recipe, set };
        command.SetAction(parse =>
        {
            try
            {
                var path = parse.GetValue(recipe)!;
                var definition = new Recipe.RecipeLoader(RecipeSession.Registry).Load(path, parse.GetValue(set) ?? [], allowFragment: true);
                if (definition is null)
                {
                    // Editors validate fragments with the same schema; so does this command.
                    Console.Out.WriteLine($"{DisplayPath.Of(Path.GetFullPath(path))}: valid fragment (no 'recipe:' key; include it from a recipe, or name it to build it)");
                    return ExitCodes.Success;
                }
                RecipeSession.PrintWarnings(definition);
                var samples = definition.Adaptive is { } adaptive
                    ? $"{adaptive.Initial} initial samples, then {adaptive.Rounds} rounds of {adaptive.Batch}: {adaptive.Total} in all"
                    : $"{definition.Space.Count} samples";
                Console.Out.WriteLine($"{definition.Name}: valid ({samples}, stages: {string.Join(", ", definition.Stages.Select(s => $"{s.Stage}={s.Plugin.Name}"))})");
                return ExitCodes.Success;
            }
            catch (RecipeException e)
            {
                return RecipeSession.Report(e);
            }
        });
        return command;
    }
}
