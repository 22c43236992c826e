using Recipes.Registry;
using Recipes.Solvers;
using Recipes.Stages.Augment;
using Recipes.Stages.Datasets;
using Recipes.Training.Diffusion;
using Recipes.Training.GraphNetworks;
using Recipes.Stages.Render;
using Recipes.Training.Surrogates;
using Recipes.Stages.Tables;

namespace Recipes.Cli;

/// <summary>The registry every command uses: one line per implementation.</summary>
public static class BuiltinPlugins
{
    public static PluginRegistry Create()
    {
        var registry = new PluginRegistry();
        registry.Register(new ScribanRenderStage(), isDefault: true);
        foreach (var solver in SolverCatalog.All()) registry.Register(solver);
        registry.Register(new DihedralAugmenter());
        registry.Register(new CsvDatasetStage());
        registry.Register(new NpyDatasetStage());
        registry.Register(new TrajectoryDatasetStage());
        registry.Register(new SurrogateTrainer());
        registry.Register(new SurrogateEvaluator());
        registry.Register(new GnsTrainer());
        registry.Register(new GnsEvaluator());
        registry.Register(new ImageFolderDatasetStage());
        registry.Register(new DdpmTrainer());
        registry.Register(new VaeTrainer());
        registry.Register(new LatentDdpmTrainer());
        registry.Register(new DiffusionEvaluator());
        registry.Register(new Solvers.Exec.ExecTraining(Plugins.StageNames.Train));
        registry.Register(new Solvers.Exec.ExecTraining(Plugins.StageNames.Evaluate));
        return registry;
    }
}
