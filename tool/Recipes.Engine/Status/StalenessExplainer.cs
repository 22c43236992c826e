using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Sampling;

namespace Recipes.Status;

/// <summary>
/// Explains why each stale node will run by comparing it with the action entry its last build recorded: a new sample,
/// a parameter or setting that changed (old → new), a file that changed (with the first changed line), an upstream
/// output that changed or will be rebuilt, an implementation version bump, or a failure last time.
/// </summary>
public sealed class StalenessExplainer
{
    private readonly CacheStore _cache;

    // The last build's records of each per-sample stage, by sample identity: built the first time a stage needs it (a
    // sample that moved or is new), from the action entries those records name.
    private readonly Dictionary<string, Dictionary<string, NodeRecord>> _byIdentity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActionEntry?> _entries = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, NodeRecord>? _previous;

    public StalenessExplainer(CacheStore cache) => _cache = cache;

    public IReadOnlyList<NodeStaleness> Explain(BuildGraph graph, NodeStates states)
    {
        var previous = Previous(graph);
        var result = new List<NodeStaleness>();
        var fileDiffs = new Dictionary<(string, string), string>();
        foreach (var node in graph.Nodes)
        {
            if (states.IsDone(node.Index)) continue;
            result.Add(new NodeStaleness(node, Reasons(node, states, previous, fileDiffs)));
        }
        return result;
    }

    /// <summary>
    /// The plan's samples against the last build's, matched by content (<see cref="SampleIdentity"/>), in the first
    /// stage that has one node per sample; null when the recipe has no such stage or was never built.
    /// </summary>
    public SampleChanges? CompareSamples(BuildGraph graph, NodeStates states)
    {
        var previous = Previous(graph);
        if (previous.Count == 0 || graph.Nodes.FirstOrDefault(n => n.Sample is not null) is not { } first) return null;
        var stage = first.StageName;
        var current = graph.Nodes.Where(n => n.StageName == stage && n.Sample is not null).ToList();
        var before = previous.Keys.Count(id => InStage(id, stage));
        // The common case reads no entry: every node of the stage kept its key at its position, and the stage has as many
        // nodes as before, so every sample is where it was (equal keys mean equal specs, so equal parameters).
        if (before == current.Count && current.All(n => states.IsDone(n.Index) && previous.TryGetValue(n.Id, out var r) && r.Key == states.HashOf(n.Index)))
            return new SampleChanges(0, 0, 0, current.Count);
        var known = ByIdentity(stage);
        var staleSamples = graph.Nodes.Where(n => n.Sample is not null && !states.IsDone(n.Index)).Select(n => n.Sample!.Index).ToHashSet();
        var identities = current.Select(n => (Node: n, Identity: SampleIdentity.Of(n) ?? "")).ToList();
        var present = identities.Select(i => i.Identity).ToHashSet(StringComparer.Ordinal);
        var added = identities.Count(i => !known.ContainsKey(i.Identity));
        var changed = identities.Count(i => known.ContainsKey(i.Identity) && staleSamples.Contains(i.Node.Sample!.Index));
        var gone = known.Keys.Count(k => !present.Contains(k));
        return new SampleChanges(added, gone, changed, current.Count - added - changed);
    }

    private IReadOnlyDictionary<string, NodeRecord> Previous(BuildGraph graph) =>
        _previous ??= _cache.States.Load(graph.Recipe.Name, graph.Recipe.RecipePath);

    private static bool InStage(string nodeId, string stage) =>
        nodeId.Length > stage.Length && nodeId[stage.Length] == '/' && nodeId.StartsWith(stage, StringComparison.Ordinal);

    private ActionEntry? Entry(string key)
    {
        if (!_entries.TryGetValue(key, out var entry)) _entries[key] = entry = _cache.Actions.TryGet(key);
        return entry;
    }

    private Dictionary<string, NodeRecord> ByIdentity(string stage)
    {
        if (_byIdentity.TryGetValue(stage, out var known)) return known;
        known = new Dictionary<string, NodeRecord>(StringComparer.Ordinal);
        foreach (var (id, record) in _previous!)
        {
            if (!InStage(id, stage) || Entry(record.Key) is not { } entry || SampleIdentity.OfSpec(entry.Spec) is not { } identity) continue;
            known.TryAdd(identity, record);
        }
        return _byIdentity[stage] = known;
    }

    /// <summary>
    /// The last build's record of this node's sample: at the same position when that position held the same sample
    /// (or the node belongs to no sample, or the record's entry is gone and only the position is left to go by), else
    /// wherever the last build had the sample; null for a sample the last build did not have.
    /// </summary>
    private NodeRecord? RecordOf(GraphNode node, string? key, IReadOnlyDictionary<string, NodeRecord> previous)
    {
        var identity = SampleIdentity.Of(node);
        previous.TryGetValue(node.Id, out var positional);
        if (identity is null) return positional;
        if (positional is not null)
        {
            if (positional.Key == key) return positional;
            if (Entry(positional.Key) is not { } entry) return positional;
            if (SampleIdentity.OfSpec(entry.Spec) == identity) return positional;
        }
        return ByIdentity(node.StageName).GetValueOrDefault(identity);
    }

    private List<string> Reasons(GraphNode node, NodeStates states, IReadOnlyDictionary<string, NodeRecord> previous, Dictionary<(string, string), string> fileDiffs)
    {
        var reasons = new List<string>();
        var key = states.HashOf(node.Index);
        if (RecordOf(node, key, previous) is not { } record)
        {
            reasons.Add(node.Sample is not null ? "new sample"
                : Adaptive.AdaptiveRounds.RoundOf(node.Id) is { } round ? $"new round {round}: no earlier build chose samples in it"
                : "never built");
        }
        else
        {
            if (record.Failed) reasons.Add($"failed last build: {FirstLine(record.Message)}");
            var old = Entry(record.Key);
            if (old is null && !record.Failed)
            {
                reasons.Add("its previous result is no longer in the cache");
            }
            else if (old is not null)
            {
                if (old.Plugin != node.Plugin.Name)
                    reasons.Add($"implementation changed ({old.Plugin} -> {node.Plugin.Name})");
                else if (old.Version != node.Plugin.Version)
                    reasons.Add($"implementation version changed ({old.Plugin} {old.Version} -> {node.Plugin.Version})");
                reasons.AddRange(SpecChanges(old.Spec, node.Spec.Text));
                if (key is not null)
                {
                    if (key == record.Key && !record.Failed) reasons.Add("outputs missing from the cache");
                    reasons.AddRange(InputChanges(node, old, states.KeyOf(node)!.Inputs, fileDiffs));
                }
            }
        }
        var staleUpstream = node.Dependencies.Where(d => !states.IsDone(d.Index)).ToList();
        if (staleUpstream.Count > 0)
            reasons.Add($"upstream {staleUpstream[0].Id} will run{(staleUpstream.Count > 1 ? $" (and {staleUpstream.Count - 1} more)" : "")}; this node reruns unless its inputs come out identical");
        if (reasons.Count == 0) reasons.Add("inputs changed");
        if (Resumption(node, states) is { } resumption) reasons.Add(resumption);
        return reasons;
    }

    /// <summary>
    /// For a resumable trainer: the step it will start from ("resumes from step 16,000 (cached)"), or why it starts
    /// from step 0 although shorter runs exist (a schedule that depends on the length). Null for other nodes and for
    /// a node whose inputs are not known yet.
    /// </summary>
    private string? Resumption(GraphNode node, NodeStates states)
    {
        if (node.Plugin is not Plugins.IResumableTrainer resumable || states.KeyOf(node) is not { } key) return null;
        if (ActionKeys.Family(node, key) is not { } family) return null;
        var length = node.Settings.GetLong(resumable.LengthSetting);
        var saved = _cache.Checkpoints.Steps(family);
        if (resumable.WhyNotResumable(node.Settings) is { } why)
            return saved.Count == 0 ? null : $"starts from step 0 although a shorter run is cached: {why}";
        var from = saved.LastOrDefault(s => s <= length, 0);
        return from == 0 ? null
            : $"resumes from {resumable.LengthSetting.TrimEnd('s')} {from.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} of {length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} (cached checkpoint)";
    }

    /// <summary>
    /// What differs between two action entries of one node, in the words <c>status</c> uses: implementation, parameters
    /// and settings (old -> new), files and upstream outputs. For <c>recipes diff</c>, which has two recorded keys.
    /// </summary>
    public static IReadOnlyList<string> EntryChanges(ActionEntry before, ActionEntry after)
    {
        var reasons = new List<string>();
        if (before.Plugin != after.Plugin) reasons.Add($"implementation changed ({before.Plugin} -> {after.Plugin})");
        else if (before.Version != after.Version) reasons.Add($"implementation version changed ({before.Plugin} {before.Version} -> {after.Version})");
        reasons.AddRange(SpecChanges(before.Spec, after.Spec));
        var old = before.Inputs.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
        var now = after.Inputs.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
        var upstreamDiffers = false;
        foreach (var name in old.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
        {
            old.TryGetValue(name, out var o);
            now.TryGetValue(name, out var n);
            if (o == n) continue;
            if (name.StartsWith("file:", StringComparison.Ordinal))
                reasons.Add($"file {name[5..]} {(o is null ? "added" : n is null ? "removed" : "changed")}");
            else
                upstreamDiffers = true;
        }
        if (upstreamDiffers) reasons.Add(UpstreamContent(before.Inputs, after.Inputs));
        return reasons;
    }

    /// <summary>
    /// Upstream outputs compared by content, not by the position they came from: a dataset whose samples only moved
    /// reads the same outputs in another order, and one that lost samples reads fewer of the same.
    /// </summary>
    private static string UpstreamContent(IReadOnlyList<KeyValuePair<string, string>> before, IReadOnlyList<KeyValuePair<string, string>> after)
    {
        static Dictionary<string, int> Counts(IEnumerable<KeyValuePair<string, string>> inputs) => inputs
            .Where(i => !i.Key.StartsWith("file:", StringComparison.Ordinal)).CountBy(i => i.Value)
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var old = Counts(before);
        var now = Counts(after);
        var added = now.Sum(p => Math.Max(0, p.Value - old.GetValueOrDefault(p.Key)));
        var removed = old.Sum(p => Math.Max(0, p.Value - now.GetValueOrDefault(p.Key)));
        var parts = new List<string>();
        if (added > 0) parts.Add($"{added} new");
        if (removed > 0) parts.Add($"{removed} no longer read");
        return parts.Count == 0 ? "the same upstream outputs in another order" : $"upstream outputs: {string.Join(", ", parts)}";
    }

    /// <summary>The parameters and settings that differ between two node specs, one line each.</summary>
    public static IEnumerable<string> SpecChanges(string oldSpec, string newSpec)
    {
        if (oldSpec == newSpec) yield break;
        var before = JsonNode.Parse(oldSpec) as JsonObject ?? [];
        var after = JsonNode.Parse(newSpec) as JsonObject ?? [];
        var changes = Compare("", before, after).ToList();
        // A node's seed derives from its spec (graph/NodeSeed.cs), so beside another change a new seed is only its
        // echo: naming it would read as a second, unexplained cause. Alone (the recipe's seed changed) it is the cause.
        if (changes.Count > 1) changes.RemoveAll(c => c.StartsWith("seed changed (", StringComparison.Ordinal));
        foreach (var change in changes) yield return change;
    }

    private static IEnumerable<string> Compare(string path, JsonObject before, JsonObject after)
    {
        foreach (var name in before.Select(p => p.Key).Union(after.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            if (name is "plugin" or "version" or "stage") continue;
            before.TryGetPropertyValue(name, out var b);
            after.TryGetPropertyValue(name, out var a);
            if (JsonNode.DeepEquals(a, b)) continue;
            var label = path.Length == 0 ? name : $"{path}.{name}";
            if (label == "samples" && a is JsonArray newSamples && b is JsonArray oldSamples)
            {
                yield return Membership(oldSamples, newSamples);
                continue;
            }
            if (a is JsonObject ao && b is JsonObject bo && label is "params" or "settings")
            {
                foreach (var inner in Compare(label, bo, ao)) yield return inner;
                continue;
            }
            var noun = path switch
            {
                "params" => $"parameter {name}",
                "settings" => $"setting {name}",
                _ => label switch
                {
                    "seed" => "seed",
                    "samples" => "shard membership",
                    "templates" => "template list",
                    "identity" => "simulator identity",
                    _ => label,
                },
            };
            yield return b is null ? $"{noun} added ({Short(a)})"
                : a is null ? $"{noun} removed (was {Short(b)})"
                : $"{noun} changed ({Short(b)} -> {Short(a)})";
        }
    }

    /// <summary>
    /// A dataset node's samples, before and after, matched by content: the samples that are new, those no longer in the
    /// space, or (when the same samples are listed) that their order changed. Positions are not compared: a sample that
    /// moved from 000005 to 000002 is the same sample.
    /// </summary>
    private static string Membership(JsonArray before, JsonArray after)
    {
        static List<string> Identities(JsonArray samples) => samples.Select(s => SampleIdentity.OfMember(s) ?? s?.ToJsonString() ?? "").ToList();
        var old = Identities(before);
        var now = Identities(after);
        var oldCounts = old.CountBy(i => i).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var nowCounts = now.CountBy(i => i).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var added = nowCounts.Sum(p => Math.Max(0, p.Value - oldCounts.GetValueOrDefault(p.Key)));
        var removed = oldCounts.Sum(p => Math.Max(0, p.Value - nowCounts.GetValueOrDefault(p.Key)));
        var parts = new List<string>();
        if (added > 0) parts.Add($"{added} new");
        if (removed > 0) parts.Add($"{removed} no longer in the space");
        if (parts.Count == 0) return old.SequenceEqual(now, StringComparer.Ordinal) ? "shard samples renumbered" : "shard samples reordered";
        return $"shard samples changed ({string.Join(", ", parts)})";
    }

    private IEnumerable<string> InputChanges(GraphNode node, ActionEntry old, IReadOnlyList<KeyValuePair<string, string>> inputs, Dictionary<(string, string), string> fileDiffs)
    {
        var before = old.Inputs.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
        var after = inputs.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
        // Upstream outputs are judged by content: one the last build also read (from whichever position) is not a change.
        var readBefore = old.Inputs.Where(i => !i.Key.StartsWith("file:", StringComparison.Ordinal)).Select(i => i.Value).ToHashSet(StringComparer.Ordinal);
        var upstreamDiffers = false;
        var changedUpstream = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (name, hash) in after)
        {
            before.TryGetValue(name, out var oldHash);
            if (oldHash == hash) continue;
            if (name.StartsWith("file:", StringComparison.Ordinal))
            {
                var relative = name[5..];
                if (oldHash is null)
                {
                    yield return $"file {relative} added";
                    continue;
                }
                var file = node.Files.First(f => f.Name == relative);
                if (!fileDiffs.TryGetValue((oldHash, hash), out var diff))
                    fileDiffs[(oldHash, hash)] = diff = DescribeFileChange(file, oldHash);
                yield return diff;
            }
            else
            {
                upstreamDiffers = true;
                if (readBefore.Contains(hash)) continue;
                var colon = name.IndexOf(':', StringComparison.Ordinal);
                var index = int.Parse(name.AsSpan(2, colon - 2), System.Globalization.CultureInfo.InvariantCulture);
                var dependency = node.Dependencies[index];
                changedUpstream.Add($"upstream {dependency.Id} output {name[(colon + 1)..]} changed");
            }
        }
        foreach (var name in before.Keys.Except(after.Keys).Order(StringComparer.Ordinal))
        {
            if (name.StartsWith("file:", StringComparison.Ordinal)) yield return $"file {name[5..]} removed";
            else upstreamDiffers = true;
        }
        foreach (var change in changedUpstream.Take(3)) yield return change;
        if (changedUpstream.Count > 3) yield return $"{changedUpstream.Count - 3} more upstream outputs changed";
        if (upstreamDiffers && changedUpstream.Count == 0) yield return UpstreamContent(old.Inputs, inputs);
        else if (upstreamDiffers && UpstreamContent(old.Inputs, inputs) is var summary && summary.Contains("no longer read", StringComparison.Ordinal))
            yield return summary;
    }

    private string DescribeFileChange(FileInput file, string oldHash)
    {
        var display = DisplayPath.Of(file.FullPath);
        var oldPath = _cache.Blobs.PathOf(oldHash);
        if (!File.Exists(oldPath)) return $"file {display} changed";
        var oldLines = File.ReadAllLines(oldPath);
        var newLines = File.ReadAllLines(file.FullPath);
        for (var i = 0; i < Math.Max(oldLines.Length, newLines.Length); i++)
        {
            var o = i < oldLines.Length ? oldLines[i] : null;
            var n = i < newLines.Length ? newLines[i] : null;
            if (o == n) continue;
            return $"file {display} changed at line {i + 1}: {Quote(o)} -> {Quote(n)}";
        }
        return $"file {display} changed (line endings or trailing bytes)";
    }

    private static string Quote(string? line) =>
        line is null ? "(no line)" : System.Text.Json.JsonSerializer.Serialize(line.Length > 60 ? line[..57] + "..." : line);

    private static string Short(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 60 ? text[..57] + "..." : text;
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
