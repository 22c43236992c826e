using Recipes.Solvers;
using Recipes.Stages.Render;
using Recipes.Stages.Tables;

namespace Recipes.Stages;

/// <summary>The registry every command uses: one line per implementation.</summary>
public static class BuiltinPlugins
{
    public static PluginRegistry Create()
    {
        var registry = new PluginRegistry();
        registry.Register(new ScribanRenderStage(), isDefault: true);
        foreach (var solver in SolverCatalog.All()) registry.Register(solver);
        registry.Register(new CsvDatasetStage());
        return registry;
    }
}
