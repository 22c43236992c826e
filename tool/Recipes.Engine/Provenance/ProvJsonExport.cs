using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Lineage;
using Recipes.Materialization;
using Recipes.Runs;

namespace Recipes.Provenance;

/// <summary>
/// A build as W3C PROV in the PROV-JSON serialization (the W3C member submission of 2013, which the <c>prov</c>
/// Python package reads): every input and output file is an entity named by its content hash, every node that the
/// cache holds is an activity named by its action key (with its start and end where a recorded run executed it), the
/// tool versions that ran them are software agents, and <c>used</c>, <c>wasGeneratedBy</c>, <c>wasDerivedFrom</c>
/// (each output from each input, through its node) and <c>wasAssociatedWith</c> link them. Content addressing makes
/// one entity of identical bytes wherever they occur, as the cache does.
/// </summary>
public static class ProvJsonExport
{
    /// <summary>The namespaces of the identifiers (URNs: the names are content hashes, not places).</summary>
    public const string Namespace = "urn:recipes:";

    public static JsonObject Build(BuildGraph graph, NodeStates states, IEnumerable<RunRecord> runs, string project)
    {
        var index = new RunIndex(runs);
        var entity = new JsonObject();
        var activity = new JsonObject();
        var agent = new JsonObject();
        var used = new JsonObject();
        var generated = new JsonObject();
        var derived = new JsonObject();
        var associated = new JsonObject();
        var counter = 0;
        string Relation(string kind) => $"_:{kind}{(++counter).ToString(CultureInfo.InvariantCulture)}";

        string Entity(string hash, string label, long? size, string type, string? path)
        {
            var id = "blob:" + hash;
            if (entity.ContainsKey(id)) return id;
            var attributes = new JsonObject { ["prov:label"] = label, ["prov:type"] = type, ["recipes:hash"] = hash };
            if (size is { } bytes) attributes["recipes:size"] = bytes;
            if (path is not null) attributes["recipes:path"] = path;
            entity[id] = attributes;
            return id;
        }

        foreach (var node in graph.Nodes)
        {
            if (!states.IsDone(node.Index) || states.KeyOf(node) is not { } key) continue;
            var activityId = "action:" + key.Hash;
            var made = index.Find(key.Hash);
            var attributes = new JsonObject
            {
                ["prov:label"] = node.Id,
                ["prov:type"] = "recipes:Node",
                ["recipes:stage"] = node.StageName,
                ["recipes:implementation"] = node.Plugin.Name,
                ["recipes:version"] = node.Plugin.Version,
                ["recipes:key"] = key.Hash,
            };
            if (made is { Executed: true } run)
            {
                if (run.Node.Started is { } started) attributes["prov:startTime"] = RunRecord.Iso(started);
                if (run.Node.Ended is { } ended) attributes["prov:endTime"] = RunRecord.Iso(ended);
                attributes["recipes:run"] = run.Run.Id;
                if (run.Run.Source is { } source)
                {
                    attributes["recipes:gitCommit"] = source.Commit;
                    attributes["recipes:gitDirty"] = source.Dirty;
                }
                if (run.Run.ToolVersion is { } version)
                {
                    var agentId = "tool:" + string.Concat(version.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
                    agent[agentId] ??= new JsonObject { ["prov:type"] = "prov:SoftwareAgent", ["prov:label"] = "recipes " + version, ["recipes:version"] = version };
                    associated[Relation("w")] = new JsonObject { ["prov:activity"] = activityId, ["prov:agent"] = agentId };
                }
            }
            activity[activityId] = attributes;

            var inputs = new List<string>();
            foreach (var file in node.Files)
                inputs.Add(Entity(file.Hash, file.Name, null, "recipes:SourceFile", Path.GetRelativePath(project, file.FullPath).Replace('\\', '/')));
            foreach (var dependency in node.Dependencies)
                foreach (var output in states.Outputs[dependency.Index] ?? [])
                    inputs.Add(Entity(output.Hash, output.Name, output.Size, "recipes:Output",
                        dependency.Stage.Materialize ? OutputMaterializer.RelativePath(dependency, output.Name) : null));
            inputs = [.. inputs.Distinct(StringComparer.Ordinal)];
            foreach (var input in inputs) used[Relation("u")] = new JsonObject { ["prov:activity"] = activityId, ["prov:entity"] = input };

            foreach (var output in states.Outputs[node.Index] ?? [])
            {
                var outputId = Entity(output.Hash, output.Name, output.Size, "recipes:Output",
                    node.Stage.Materialize ? OutputMaterializer.RelativePath(node, output.Name) : null);
                var generation = new JsonObject { ["prov:entity"] = outputId, ["prov:activity"] = activityId };
                if (attributes["prov:endTime"] is JsonNode time) generation["prov:time"] = time.DeepClone();
                generated[Relation("g")] = generation;
                foreach (var input in inputs)
                    if (input != outputId)
                        derived[Relation("d")] = new JsonObject { ["prov:generatedEntity"] = outputId, ["prov:usedEntity"] = input, ["prov:activity"] = activityId };
            }
        }

        var document = new JsonObject
        {
            ["prefix"] = new JsonObject
            {
                ["recipes"] = Namespace,
                ["blob"] = Namespace + "blob:",
                ["action"] = Namespace + "action:",
                ["tool"] = Namespace + "tool:",
            },
            ["entity"] = entity,
            ["activity"] = activity,
        };
        // PROV-JSON leaves out the kinds a document has none of.
        if (agent.Count > 0) document["agent"] = agent;
        if (used.Count > 0) document["used"] = used;
        if (generated.Count > 0) document["wasGeneratedBy"] = generated;
        if (derived.Count > 0) document["wasDerivedFrom"] = derived;
        if (associated.Count > 0) document["wasAssociatedWith"] = associated;
        return document;
    }
}
