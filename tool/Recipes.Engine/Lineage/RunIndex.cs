using Recipes.Runs;

namespace Recipes.Lineage;

/// <summary>
/// Which recorded build produced each action key: the oldest run whose node list has the key executed; where no
/// recorded run executed it (pruned records, a remote cache, a copied cache) the oldest run that used it.
/// </summary>
public sealed class RunIndex
{
    private readonly Dictionary<string, (RunRecord Run, RunNode Node, bool Executed)> _byKey = new(StringComparer.Ordinal);

    public RunIndex(IEnumerable<RunRecord> runs)
    {
        // Oldest first, so the first run to execute a key keeps it.
        foreach (var run in runs.OrderBy(r => r.Id, StringComparer.Ordinal))
            foreach (var node in run.NodeList)
            {
                if (node.Key is not { Length: > 0 } key) continue;
                var executed = node.Status == "executed";
                if (!_byKey.TryGetValue(key, out var known) || (executed && !known.Executed)) _byKey[key] = (run, node, executed);
            }
    }

    /// <summary>The run that made <paramref name="key"/> (Executed true), or the first that used it from the cache; null when none recorded it.</summary>
    public (RunRecord Run, RunNode Node, bool Executed)? Find(string? key) => key is not null && _byKey.TryGetValue(key, out var found) ? found : null;
}
