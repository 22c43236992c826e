using Recipes.Cli;

return await CommandTree.RunAsync(args);
