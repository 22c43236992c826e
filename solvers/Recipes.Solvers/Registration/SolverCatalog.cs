using Recipes.Plugins;
using Recipes.Solvers.Exec;
using Recipes.Solvers.Heat2d;
using Recipes.Solvers.OpenFoam;
using Recipes.Solvers.Smoke;
using Recipes.Solvers.Sph;

namespace Recipes.Solvers;

/// <summary>Every solver this project ships; the tool registers them by name. A new solver adds one line here.</summary>
public static class SolverCatalog
{
    public static IEnumerable<IStagePlugin> All()
    {
        yield return new ExecSolver(StageNames.Simulate);
        yield return new ExecSolver(StageNames.Postprocess);
        yield return new Heat2dSolver();
        yield return new FieldsConverter();
        yield return new SphSolver();
        yield return new SmokeSolver();
    }
}
