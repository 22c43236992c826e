using System.CommandLine;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Graph;

namespace Recipes.Cli;

/// <summary><c>recipes graph RECIPE</c>: the DAG as mermaid, dot or JSON.</summary>
public static class GraphCommand
{
    public static Command Create()
    {
        var recipe = CommonOptions.Recipe();
        var set = CommonOptions.Set();
        var format = new Option<string>("--format") { Description = "mermaid, dot or json.", DefaultValueFactory = _ => "mermaid" };
        format.AcceptOnlyFromAmong("mermaid", "dot", "json");
        var expand = new Option<bool>("--expand") { Description = "One box per node instead of one per stage." };
        var command = new Command("graph", "Print the task graph (per-sample fan-out collapsed unless --expand).") { recipe, set, format, expand };
        command.SetAction(parse =>
        {
            try
            {
                var session = RecipeSession.Open(parse.GetValue(recipe)!, parse.GetValue(set) ?? [], null, probes: false);
                Console.Out.Write(GraphFormatter.Format(session.Graph, parse.GetValue(format)!, parse.GetValue(expand)));
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
