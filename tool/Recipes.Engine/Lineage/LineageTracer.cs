using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Hashing;
using Recipes.Materialization;
using Recipes.Plugins.Files;
using Recipes.Runs;
using Recipes.Sampling;

namespace Recipes.Lineage;

/// <summary>
/// Answers <c>recipes why</c> from a planned and probed graph, the cache and the run records, without building: which
/// node wrote a file under <c>out/&lt;recipe&gt;/</c>, with its key, implementation, parameters, seed, inputs (templates
/// beside the files they rendered), the upstream chain back to the base case and the run that made each node; and, the
/// other way, every node and output downstream of a source file.
/// </summary>
public sealed class LineageTracer
{
    /// <summary>Outputs hashed to tell a hand edit in out/ from the file the build wrote; larger ones are refused.</summary>
    public const long MaxHashedBytes = 64L << 30;

    private readonly BuildGraph _graph;
    private readonly NodeStates _states;
    private readonly CacheStore _cache;
    private readonly Func<Func<string, bool>, IEnumerable<RunRecord>> _loadRuns;
    private RunIndex _runs = new([]);
    private readonly string _project;

    /// <param name="runs">
    /// The recipe's run records, with the nodes whose keys the filter keeps: asked once, for the keys of the chain only
    /// (see <see cref="RunRecordScan"/>).
    /// </param>
    /// <param name="project">The project root: source files are shown relative to it.</param>
    public LineageTracer(BuildGraph graph, NodeStates states, CacheStore cache, Func<Func<string, bool>, IEnumerable<RunRecord>> runs, string project)
    {
        _graph = graph;
        _states = states;
        _cache = cache;
        _loadRuns = runs;
        _project = Path.GetFullPath(project);
    }

    /// <summary>
    /// The node and output materialized at <paramref name="relative"/>, or null. A per-sample path names its sample and
    /// stage, so only that node is looked at; other paths are checked against the few nodes that are not per sample.
    /// (Mapping every output of a 10,000-sample sweep first cost more than the answer.)
    /// </summary>
    private (GraphNode Node, OutputFile Output)? Locate(string relative)
    {
        var parts = relative.Split('/', 4);
        var sampleId = parts is ["samples", _, _, _] ? parts[1] : null;
        foreach (var node in _graph.Nodes)
        {
            if (!node.Stage.Materialize || _states.Outputs[node.Index] is not { } outputs) continue;
            if (sampleId is null ? node.Sample is not null : node.Sample?.Id != sampleId || node.StageName != parts[2]) continue;
            foreach (var output in outputs)
                if (OutputMaterializer.RelativePath(node, output.Name) == relative) return (node, output);
        }
        return null;
    }

    /// <summary>
    /// The lineage of <paramref name="file"/> (<paramref name="relative"/> to out/&lt;recipe&gt;/), or of one of its items.
    /// </summary>
    /// <param name="display">The file as the user named it, for messages.</param>
    /// <exception cref="LineageException">No node of the plan wrote the file, or the item is not in it.</exception>
    /// <param name="perStage">
    /// At most this many nodes of each stage in the chain, the rest counted under <c>more</c> (the text view shows three;
    /// describing all 20,000 nodes upstream of a 10,000-sample shard only to print three took seconds); null: all.
    /// </param>
    public JsonObject Explain(string file, string relative, string display, string? item, int? perStage = null)
    {
        if (Locate(relative) is not { } found)
        {
            // A node that would write there but is not in the cache for the recipe as it is now (edited since the build).
            var stale = _graph.Nodes.FirstOrDefault(n => n.Stage.Materialize && !_states.IsDone(n.Index) &&
                relative.StartsWith(OutputMaterializer.RelativePath(n, ""), StringComparison.Ordinal));
            throw new LineageException(stale is not null
                ? $"{display}: node {stale.Id} that writes it is not in the cache for the recipe as it is now (changed since the build); see recipes status"
                : relative == OutputMaterializer.ManifestName
                    ? $"{display} is the build's own index of out/{_graph.Recipe.Name}/, written by no node; ask about a file it lists"
                    : $"{display} was not made by the build of {_graph.Recipe.Name}: no node writes it");
        }
        var (node, output) = found;
        if (RegularFile.Problem(file, MaxHashedBytes) is { } problem && output.Size > 0) throw new LineageException($"{display} {problem}");
        var current = output.Size == 0 && new FileInfo(file).Length == 0 ? output.Hash : ContentHash.OfFile(file);

        Sample? only = null;
        var result = new JsonObject
        {
            ["recipe"] = _graph.Recipe.Name,
            ["file"] = display,
            ["path"] = relative,
            ["hash"] = output.Hash,
            ["size"] = output.Size,
            ["edited"] = current != output.Hash,
        };
        if (current != output.Hash) result["current_hash"] = current;
        if (item is not null)
        {
            if (node.Sample is not null)
                throw new LineageException($"{display}#{item}: the file belongs to sample {node.Sample.Id} already; items name a row or a trajectory of a dataset file");
            var (sampleId, description) = DatasetItem.Resolve(_cache.Blobs.PathOf(output.Hash), display, item);
            only = SampleOf(node, sampleId) ?? throw new LineageException($"{display}#{item}: {description} names sample {sampleId}, which is not an input of {node.Id}");
            result["item"] = new JsonObject { ["name"] = item, ["is"] = description, ["sample"] = only.Id };
        }
        else if (node.Sample is null && SampleOf(node, Path.GetFileNameWithoutExtension(relative)) is { } pictured)
        {
            // A file of a dataset named after its sample (an image-folder dataset's <split>/<id>.png) is that sample's item.
            only = pictured;
            result["item"] = new JsonObject { ["name"] = Path.GetFileName(relative), ["is"] = "a file of the dataset named after its sample", ["sample"] = pictured.Id };
        }
        if ((only ?? node.Sample) is { } sample) result["sample"] = SampleJson(sample);

        var steps = Upstream(node, only);
        if (perStage is { } limit)
        {
            var more = new JsonObject();
            foreach (var stage in steps.GroupBy(n => n.StageName).Where(g => g.Count() > limit)) more[stage.Key] = stage.Count() - limit;
            if (more.Count > 0) result["more"] = more;
            steps = [.. steps.GroupBy(n => n.StageName).SelectMany(g => g.Take(limit))];
        }
        var keys = steps.Select(n => _states.HashOf(n.Index)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        _runs = new RunIndex(_loadRuns(keys.Contains));
        var chain = new JsonArray();
        foreach (var step in steps) chain.Add(NodeJson(step, only));
        result["chain"] = chain;
        return result;
    }

    /// <summary>Every node downstream of the source file <paramref name="path"/>: those that read it and all that follow.</summary>
    /// <exception cref="LineageException">No node of the plan reads it.</exception>
    public JsonObject Downstream(string path, string display)
    {
        var full = Path.GetFullPath(path);
        var readers = _graph.Nodes.Where(n => n.Files.Any(f => Path.GetFullPath(f.FullPath) == full)).ToList();
        if (readers.Count == 0) throw new LineageException($"{display} is not an input of any node of {_graph.Recipe.Name}");
        var seen = new HashSet<int>();
        var queue = new Queue<GraphNode>(readers);
        foreach (var r in readers) seen.Add(r.Index);
        while (queue.Count > 0)
            foreach (var next in queue.Dequeue().Dependents)
                if (seen.Add(next.Index)) queue.Enqueue(next);
        var hash = readers[0].Files.First(f => Path.GetFullPath(f.FullPath) == full).Hash;
        var nodes = new JsonArray();
        foreach (var node in _graph.Nodes.Where(n => seen.Contains(n.Index)))
        {
            var outputs = new JsonArray();
            if (node.Stage.Materialize && _states.Outputs[node.Index] is { } written)
                foreach (var o in written) outputs.Add((JsonNode)OutputMaterializer.RelativePath(node, o.Name));
            nodes.Add(new JsonObject
            {
                ["node"] = node.Id,
                ["stage"] = node.StageName,
                ["key"] = _states.HashOf(node.Index),
                ["reads_it"] = node.Files.Any(f => Path.GetFullPath(f.FullPath) == full),
                ["outputs"] = outputs,
            });
        }
        var stages = new JsonObject();
        foreach (var group in _graph.Nodes.Where(n => seen.Contains(n.Index)).GroupBy(n => n.StageName)) stages[group.Key] = group.Count();
        return new JsonObject
        {
            ["recipe"] = _graph.Recipe.Name,
            ["file"] = display,
            ["hash"] = hash,
            ["nodes"] = seen.Count,
            ["stages"] = stages,
            ["downstream"] = nodes,
        };
    }

    /// <summary>The sample <paramref name="id"/> when it is among the samples <paramref name="node"/> reads, else null.</summary>
    private static Sample? SampleOf(GraphNode node, string id)
    {
        foreach (var dependency in node.Dependencies)
            if (dependency.Sample is { } s && s.Id == id) return s;
        return null;
    }

    /// <summary>The node and everything upstream of it, nearest first; limited to one sample's nodes when <paramref name="only"/> is given.</summary>
    private static List<GraphNode> Upstream(GraphNode node, Sample? only)
    {
        var order = new List<GraphNode> { node };
        var seen = new HashSet<int> { node.Index };
        for (var k = 0; k < order.Count; k++)
            foreach (var dependency in order[k].Dependencies)
            {
                if (only is not null && dependency.Sample is { } s && s.Index != only.Index) continue;
                if (seen.Add(dependency.Index)) order.Add(dependency);
            }
        return order;
    }

    private static JsonObject SampleJson(Sample sample)
    {
        var parameters = new JsonObject();
        // Every resolved value, the derived ones included (a ValueMap is sorted, so the order is canonical).
        foreach (var (name, value) in sample.Parameters.Entries) parameters[name] = value?.DeepClone();
        var json = new JsonObject { ["id"] = sample.Id, ["index"] = sample.Index, ["parameters"] = parameters };
        if (sample.Origin is { } origin) json["round"] = origin.Round;
        return json;
    }

    private JsonObject NodeJson(GraphNode node, Sample? only)
    {
        var key = _states.KeyOf(node);
        var outputs = _states.Outputs[node.Index] ?? [];
        var inputs = new JsonArray();
        foreach (var (name, hash) in key?.Inputs ?? [])
        {
            var input = new JsonObject { ["name"] = name, ["hash"] = hash };
            if (name.StartsWith("file:", StringComparison.Ordinal))
            {
                var fileName = name["file:".Length..];
                if (node.Files.FirstOrDefault(f => f.Name == fileName) is { } source)
                    input["source"] = Path.GetRelativePath(_project, source.FullPath).Replace('\\', '/');
                // A template beside the file it rendered: input.txt.sbn -> input.txt.
                if (outputs.FirstOrDefault(o => fileName.StartsWith(o.Name + ".", StringComparison.Ordinal)) is { } rendered)
                    input["rendered"] = new JsonObject { ["name"] = rendered.Name, ["hash"] = rendered.Hash };
            }
            else if (name.StartsWith("in", StringComparison.Ordinal) && name.IndexOf(':', StringComparison.Ordinal) is > 2 and var colon &&
                     int.TryParse(name.AsSpan(2, colon - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position) &&
                     position < node.Dependencies.Count)
            {
                // Asked about one item: the other samples' files are not its sources.
                if (only is not null && node.Dependencies[position].Sample is { } other && other.Index != only.Index) continue;
                input["from"] = node.Dependencies[position].Id;
            }
            inputs.Add(input);
        }
        var json = new JsonObject
        {
            ["node"] = node.Id,
            ["stage"] = node.StageName,
            ["implementation"] = node.Plugin.Name,
            ["version"] = node.Plugin.Version,
            ["key"] = key?.Hash,
            ["cached"] = _states.IsDone(node.Index),
            ["seed"] = node.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (node.Sample is { } sample) json["sample"] = sample.Id;
        json["inputs"] = inputs;
        json["outputs"] = new JsonArray([.. outputs.Select(o => (JsonNode?)new JsonObject
        {
            ["name"] = o.Name, ["hash"] = o.Hash, ["size"] = o.Size,
            ["path"] = node.Stage.Materialize ? OutputMaterializer.RelativePath(node, o.Name) : null,
        })]);
        json["upstream"] = new JsonArray([.. node.Dependencies.Select(d => (JsonNode?)JsonValue.Create(d.Id))]);
        if (_runs.Find(key?.Hash) is { } made)
            json["run"] = new JsonObject
            {
                ["id"] = made.Run.Id,
                ["executed"] = made.Executed,
                ["started"] = RunRecord.Iso(made.Run.Started),
                ["tool_version"] = made.Run.ToolVersion,
                ["git_commit"] = made.Run.Source?.Commit,
                ["git_dirty"] = made.Run.Source?.Dirty,
            };
        return json;
    }
}
