using System.CommandLine;
using System.Text.Json;
using Recipes.Execution;
using Recipes.Schema;

namespace Recipes.Cli;

/// <summary><c>recipes schema</c>: the JSON Schema of the recipe language, for editor completion.</summary>
public static class SchemaCommand
{
    public static Command Create()
    {
        var command = new Command("schema", "Print the JSON Schema of the recipe language (for editor completion).");
        command.SetAction(_ =>
        {
            var schema = new RecipeSchema(RecipeSession.Registry).ToJsonSchema();
            Console.Out.WriteLine(schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        });
        return command;
    }
}
