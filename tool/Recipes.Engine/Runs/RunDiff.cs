using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Graph;
using Recipes.Plugins;
using Recipes.Sampling;
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
        IReadOnlyList<StageTime> stages, IReadOnlyList<NodeChange> nodes, SampleChanges? samples)
    {
        Samples = samples;
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

    /// <summary>
    /// B's samples against A's, matched by their parameter values in the first per-sample stage; null where a side
    /// does not know its samples' identities (a record written before they were kept) or neither has per-sample nodes.
    /// </summary>
    public SampleChanges? Samples { get; }

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

        var (pairs, onlyA, onlyB) = Match(a.NodeList, b.NodeList, n => n.Id, n => n.Sample);
        var nodes = new List<NodeChange>();
        var changedSamples = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (na, nb) in pairs)
        {
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
            if (reasons.Count == 0) continue;
            if (na.Id != nb.Id) reasons.Add($"the same sample was {na.Id} in A");
            if (nb.Sample is { } sample) changedSamples.Add(sample);
            nodes.Add(new NodeChange(nb.Id, nb.Stage, "changed", reasons));
        }
        nodes.AddRange(onlyA.Select(na => new NodeChange(na.Id, na.Stage, "only_a", [na.Sample is null ? "not in B's plan" : "sample no longer in the space"])));
        nodes.AddRange(onlyB.Select(nb => new NodeChange(nb.Id, nb.Stage, "only_b", [nb.Sample is null ? "not in A's plan" : "new sample"])));
        var samples = CountSamples(a.NodeList, b.NodeList, n => n.Stage, n => n.Sample, changedSamples);

        return new RunDiff(a.Id, b.Id, ParameterChanges(a.Parameters, b.Parameters), metrics, stages, nodes, samples);
    }

    /// <summary>Two recipe files, planned and not built: parameters, node counts per stage, and nodes whose specs or files differ.</summary>
    public static RunDiff BetweenPlans(BuildGraph a, JsonObject parametersA, BuildGraph b, JsonObject parametersB)
    {
        var stages = a.Nodes.Select(n => n.StageName).Union(b.Nodes.Select(n => n.StageName)).Order(StageNames.PipelineOrder)
            .Select(s => new StageTime(s, a.Nodes.Count(n => n.StageName == s), b.Nodes.Count(n => n.StageName == s), null, null, null, null)).ToList();
        var (pairs, onlyA, onlyB) = Match(a.Nodes, b.Nodes, n => n.Id, SampleIdentity.Of);
        var partner = pairs.ToDictionary(p => p.B.Id, p => p.A, StringComparer.Ordinal);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        var changedSamples = new HashSet<string>(StringComparer.Ordinal);
        var nodes = new List<NodeChange>();
        var gone = onlyA.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        // B's nodes are ordered stage by stage and depend only on earlier ones, so a dependency's verdict is known first.
        foreach (var nb in b.Nodes)
        {
            if (!partner.TryGetValue(nb.Id, out var na))
            {
                changed.Add(nb.Id);
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
            var upstream = nb.Dependencies.Select(d => d.Id).Where(changed.Contains).ToList();
            if (upstream.Count == 0 && na.Dependencies.Any(d => gone.Contains(d.Id))) upstream = [.. na.Dependencies.Select(d => d.Id).Where(gone.Contains)];
            if (upstream.Count > 0)
                reasons.Add($"upstream {upstream[0]} differs{(upstream.Count > 1 ? $" (and {upstream.Count - 1} more)" : "")}");
            if (reasons.Count == 0) continue;
            if (na.Id != nb.Id) reasons.Add($"the same sample was {na.Id} in A");
            changed.Add(nb.Id);
            if (SampleIdentity.Of(nb) is { } sample) changedSamples.Add(sample);
            nodes.Add(new NodeChange(nb.Id, nb.StageName, "changed", reasons));
        }
        nodes.AddRange(onlyA.Select(na => new NodeChange(na.Id, na.StageName, "only_a", [na.Sample is null ? "not in B's plan" : "sample no longer in the space"])));
        nodes.AddRange(onlyB.Select(nb => new NodeChange(nb.Id, nb.StageName, "only_b", [nb.Sample is null ? "not in A's plan" : "new sample"])));
        var samples = CountSamples(a.Nodes, b.Nodes, n => n.StageName, SampleIdentity.Of, changedSamples);
        return new RunDiff(a.Recipe.RecipePath, b.Recipe.RecipePath, ParameterChanges(parametersA, parametersB), [], stages, nodes, samples);
    }

    /// <summary>
    /// Pairs A's nodes with B's: a per-sample node with the node of the same stage and sample identity on the other side
    /// (where both sides know identities), any other node by id. Nodes left over are only in A or only in B.
    /// </summary>
    private static (List<(T A, T B)> Pairs, List<T> OnlyA, List<T> OnlyB) Match<T>(IReadOnlyList<T> a, IReadOnlyList<T> b, Func<T, string> id, Func<T, string?> identity)
        where T : class
    {
        var bySample = a.Any(n => identity(n) is not null) && b.Any(n => identity(n) is not null);
        string MatchKey(T n) => bySample && identity(n) is { } sample ? Stage(id(n)) + "/#" + sample : id(n);
        var fromA = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var n in a) fromA.TryAdd(MatchKey(n), n);
        var pairs = new List<(T, T)>();
        var onlyB = new List<T>();
        var used = new HashSet<T>(ReferenceEqualityComparer.Instance);
        foreach (var n in b)
        {
            if (fromA.TryGetValue(MatchKey(n), out var other) && used.Add(other)) pairs.Add((other, n));
            else onlyB.Add(n);
        }
        return (pairs, a.Where(n => !used.Contains(n)).ToList(), onlyB);
    }

    private static string Stage(string nodeId) => nodeId.IndexOf('/', StringComparison.Ordinal) is var slash and > 0 ? nodeId[..slash] : nodeId;

    /// <summary>Sample counts in the first stage that has per-sample nodes; null where either side lacks identities.</summary>
    private static SampleChanges? CountSamples<T>(IReadOnlyList<T> a, IReadOnlyList<T> b, Func<T, string> stage, Func<T, string?> identity, HashSet<string> changed)
    {
        if (b.FirstOrDefault(n => identity(n) is not null) is not { } first || !a.Any(n => identity(n) is not null)) return null;
        var name = stage(first);
        var before = a.Where(n => stage(n) == name).Select(identity).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var after = b.Where(n => stage(n) == name).Select(identity).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var added = after.Count(s => !before.Contains(s));
        var modified = after.Count(s => before.Contains(s) && changed.Contains(s));
        return new SampleChanges(added, before.Count(s => !after.Contains(s)), modified, after.Count - added - modified);
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
        ["samples"] = Samples is null ? null : new JsonObject
        {
            ["new"] = Samples.New, ["gone"] = Samples.Gone, ["changed"] = Samples.Changed, ["unchanged"] = Samples.Unchanged,
        },
        ["nodes"] = new JsonArray([.. Nodes.Select(n => (JsonNode?)new JsonObject
        {
            ["id"] = n.Id, ["stage"] = n.Stage, ["change"] = n.Change,
            ["reasons"] = new JsonArray([.. n.Reasons.Select(r => (JsonNode?)JsonValue.Create(r))]),
        })]),
    };
}
