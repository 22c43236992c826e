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
                var definition = RecipeSession.LoadRecipe(parse.GetValue(recipe)!, parse.GetValue(set) ?? []);
                RecipeSession.PrintWarnings(definition);
                Console.Out.WriteLine($"{definition.Name}: valid ({definition.Space.Count} samples, stages: {string.Join(", ", definition.Stages.Select(s => $"{s.Stage}={s.Plugin.Name}"))})");
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
