using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Graph;
using Recipes.Plugins;
using Recipes.Status;

namespace Recipes.Runs;

/// <summary>
/// What differs between two runs (<see cref="Between"/>) or two recipe files' plans (<see cref="BetweenPlans"/>): resolved
/// parameters, metrics that changed, per-stage counts and times, and the nodes that differ with the reasons
/// <c>status</c> would give. For runs, nodes are compared by their recorded action keys; a pair of keys is explained from
/// the two cache entries while the cache still holds them (after <c>cache gc</c> only "key differs" is left to say).
/// </summary>
public sealed class RunDiff
{
    private RunDiff(string a, string b, IReadOnlyList<ParameterChange> parameters, IReadOnlyList<MetricChange> metrics,
        IReadOnlyList<StageTime> stages, IReadOnlyList<NodeChange> nodes)
    {
        A = a;
        B = b;
        Parameters = parameters;
        Metrics = metrics;
        Stages = stages;
        Nodes = nodes;
    }

    /// <summary>The run id or recipe path on each side.</summary>
    public string A { get; }

    public string B { get; }
    public IReadOnlyList<ParameterChange> Parameters { get; }

    /// <summary>Metrics whose value differs (added and removed ones included), by name.</summary>
    public IReadOnlyList<MetricChange> Metrics { get; }

    public IReadOnlyList<StageTime> Stages { get; }
    public IReadOnlyList<NodeChange> Nodes { get; }

    public static RunDiff Between(RunRecord a, RunRecord b, CacheStore? cache)
    {
        var metrics = new List<MetricChange>();
        foreach (var name in a.Metrics.Select(p => p.Key).Union(b.Metrics.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            a.Metrics.TryGetPropertyValue(name, out var va);
            b.Metrics.TryGetPropertyValue(name, out var vb);
            if (JsonNode.DeepEquals(va, vb)) continue;
            double? delta = null, percent = null;
            // Only finite deltas: a recorded 1e999 (infinity) or two values near the double's range would give a delta
            // that diff --json cannot write (found by the fuzz suite).
            if (va is JsonValue ja && ja.TryGetValue(out double x) && vb is JsonValue jb && jb.TryGetValue(out double y) && double.IsFinite(y - x))
            {
                delta = y - x;
                if (x != 0 && double.IsFinite(100 * (y - x) / Math.Abs(x))) percent = 100 * (y - x) / Math.Abs(x);
            }
            metrics.Add(new MetricChange(name, va?.DeepClone(), vb?.DeepClone(), delta, percent));
        }
        var stages = a.Stages.Select(s => s.Stage).Union(b.Stages.Select(s => s.Stage)).Order(StageNames.PipelineOrder).Select(name =>
        {
            var sa = a.Stages.FirstOrDefault(s => s.Stage == name);
            var sb = b.Stages.FirstOrDefault(s => s.Stage == name);
            return new StageTime(name, sa?.Nodes ?? 0, sb?.Nodes ?? 0, sa?.Seconds, sb?.Seconds, sa?.Executed, sb?.Executed);
        }).ToList();

        var nodesA = a.NodeList.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var nodesB = b.NodeList.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var nodes = new List<NodeChange>();
        foreach (var na in a.NodeList)
        {
            if (!nodesB.TryGetValue(na.Id, out var nb))
            {
                nodes.Add(new NodeChange(na.Id, na.Stage, "only_a", ["not in B's plan"]));
                continue;
            }
            var reasons = new List<string>();
            if (na.Status == "failed" && nb.Status != "failed") reasons.Add("failed in A");
            if (nb.Status == "failed" && na.Status != "failed") reasons.Add("failed in B");
            if (na.Key != nb.Key)
            {
                if (na.Key is null || nb.Key is null)
                    reasons.Add($"key unknown in {(na.Key is null ? "A" : "B")} (an upstream node did not finish)");
                else if (cache?.Actions.TryGet(na.Key) is { } ea && cache.Actions.TryGet(nb.Key) is { } eb)
                {
                    var changes = StalenessExplainer.EntryChanges(ea, eb);
                    reasons.AddRange(changes.Count > 0 ? changes : ["inputs changed"]);
                }
                else
                    reasons.Add("action key differs (a cache entry is gone, so the cause cannot be shown)");
            }
            if (reasons.Count > 0) nodes.Add(new NodeChange(na.Id, na.Stage, "changed", reasons));
        }
        foreach (var nb in b.NodeList)
            if (!nodesA.ContainsKey(nb.Id)) nodes.Add(new NodeChange(nb.Id, nb.Stage, "only_b", ["not in A's plan"]));

        return new RunDiff(a.Id, b.Id, ParameterChanges(a.Parameters, b.Parameters), metrics, stages, nodes);
    }

    /// <summary>Two recipe files, planned and not built: parameters, node counts per stage, and nodes whose specs or files differ.</summary>
    public static RunDiff BetweenPlans(BuildGraph a, JsonObject parametersA, BuildGraph b, JsonObject parametersB)
    {
        var stages = a.Nodes.Select(n => n.StageName).Union(b.Nodes.Select(n => n.StageName)).Order(StageNames.PipelineOrder)
            .Select(s => new StageTime(s, a.Nodes.Count(n => n.StageName == s), b.Nodes.Count(n => n.StageName == s), null, null, null, null)).ToList();
        var byId = b.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        var nodes = new List<NodeChange>();
        // Nodes are ordered stage by stage and depend only on earlier ones, so a dependency's verdict is known first.
        foreach (var na in a.Nodes)
        {
            if (!byId.TryGetValue(na.Id, out var nb))
            {
                nodes.Add(new NodeChange(na.Id, na.StageName, "only_a", ["not in B's plan"]));
                changed.Add(na.Id);
                continue;
            }
            var reasons = new List<string>();
            if (na.Plugin.Name != nb.Plugin.Name) reasons.Add($"implementation changed ({na.Plugin.Name} -> {nb.Plugin.Name})");
            else if (na.Plugin.Version != nb.Plugin.Version) reasons.Add($"implementation version changed ({na.Plugin.Name} {na.Plugin.Version} -> {nb.Plugin.Version})");
            reasons.AddRange(StalenessExplainer.SpecChanges(na.Spec.Text, nb.Spec.Text));
            var filesA = na.Files.ToDictionary(f => f.Name, f => f.Hash, StringComparer.Ordinal);
            var filesB = nb.Files.ToDictionary(f => f.Name, f => f.Hash, StringComparer.Ordinal);
            foreach (var name in filesA.Keys.Union(filesB.Keys).Order(StringComparer.Ordinal))
            {
                filesA.TryGetValue(name, out var ha);
                filesB.TryGetValue(name, out var hb);
                if (ha != hb) reasons.Add($"file {name} {(ha is null ? "added" : hb is null ? "removed" : "changed")}");
            }
            var upstream = na.Dependencies.Select(d => d.Id).Union(nb.Dependencies.Select(d => d.Id)).Where(changed.Contains).ToList();
            if (upstream.Count > 0)
                reasons.Add($"upstream {upstream[0]} differs{(upstream.Count > 1 ? $" (and {upstream.Count - 1} more)" : "")}");
            if (reasons.Count == 0) continue;
            changed.Add(na.Id);
            nodes.Add(new NodeChange(na.Id, na.StageName, "changed", reasons));
        }
        foreach (var nb in b.Nodes)
            if (!a.Nodes.Any(n => n.Id == nb.Id)) nodes.Add(new NodeChange(nb.Id, nb.StageName, "only_b", ["not in A's plan"]));
        return new RunDiff(a.Recipe.RecipePath, b.Recipe.RecipePath, ParameterChanges(parametersA, parametersB), [], stages, nodes);
    }

    private static List<ParameterChange> ParameterChanges(JsonObject a, JsonObject b) =>
        RunParameters.Differing([a, b]).Select(path => new ParameterChange(path,
            a.TryGetPropertyValue(path, out var va) ? va?.DeepClone() : null,
            b.TryGetPropertyValue(path, out var vb) ? vb?.DeepClone() : null,
            a.ContainsKey(path), b.ContainsKey(path))).ToList();

    public JsonObject ToJson() => new()
    {
        ["a"] = A,
        ["b"] = B,
        ["parameters"] = new JsonArray([.. Parameters.Select(p => (JsonNode?)new JsonObject
        {
            ["path"] = p.Path, ["a"] = p.A?.DeepClone(), ["b"] = p.B?.DeepClone(), ["in_a"] = p.InA, ["in_b"] = p.InB,
        })]),
        ["metrics"] = new JsonArray([.. Metrics.Select(m => (JsonNode?)new JsonObject
        {
            ["name"] = m.Name, ["a"] = m.A?.DeepClone(), ["b"] = m.B?.DeepClone(), ["delta"] = m.Delta, ["percent"] = m.Percent is { } p ? Math.Round(p, 3) : null,
        })]),
        ["stages"] = new JsonArray([.. Stages.Select(s => (JsonNode?)new JsonObject
        {
            ["stage"] = s.Stage, ["a_nodes"] = s.ANodes, ["b_nodes"] = s.BNodes, ["a_seconds"] = s.ASeconds is { } x ? Math.Round(x, 3) : null,
            ["b_seconds"] = s.BSeconds is { } y ? Math.Round(y, 3) : null, ["a_executed"] = s.AExecuted, ["b_executed"] = s.BExecuted,
        })]),
        ["nodes"] = new JsonArray([.. Nodes.Select(n => (JsonNode?)new JsonObject
        {
            ["id"] = n.Id, ["stage"] = n.Stage, ["change"] = n.Change,
            ["reasons"] = new JsonArray([.. n.Reasons.Select(r => (JsonNode?)JsonValue.Create(r))]),
        })]),
    };
}
