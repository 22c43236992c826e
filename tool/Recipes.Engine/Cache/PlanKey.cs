using Recipes.Graph;
using Recipes.Hashing;

namespace Recipes.Cache;

/// <summary>
/// One key for a whole recipe, computable before anything is built, for CI caches keyed by content: a hash over every
/// node's id, spec and dependencies and every source file's content hash — everything the action keys are computed
/// from, save the upstream outputs that those same inputs determine. Equal plan keys mean equal action keys.
/// </summary>
public static class PlanKey
{
    public static string Compute(BuildGraph graph)
    {
        var builder = new KeyBuilder().Add("format", GraphPlanner.CacheFormat.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var node in graph.Nodes)
        {
            builder.Add("node", node.Id).AddObject("spec", node.Spec.Members);
            foreach (var file in node.Files) builder.Add("file:" + file.Name, file.Hash);
            foreach (var dependency in node.Dependencies) builder.Add("dep", dependency.Id);
        }
        return builder.Build();
    }
}
