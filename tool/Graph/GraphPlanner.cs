using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Hashing;
using Recipes.Plugins;
using Recipes.Recipe;
using Recipes.Sampling;

namespace Recipes.Graph;

/// <summary>
/// Recipe → nodes. Per-sample stages chain per sample; the dataset stage groups samples into shards; train reads every
/// shard; evaluate reads the model and the shards. Specs hold resolved values only, never sample positions, so the
/// same parameters give the same key wherever the sampler puts them.
/// </summary>
public static class GraphPlanner
{
    /// <summary>Version of the key and cache formats; bumping it makes every node stale.</summary>
    public const int CacheFormat = 1;

    public const string ShardSetting = "shard";
    public const string OnlineSetting = "online";

    public static BuildGraph Plan(RecipeDefinition recipe, int jobs)
    {
        var samples = recipe.Samples;
        var perSample = recipe.Stages.Where(s => StageNames.IsPerSample(s.Stage)).ToList();
        var files = recipe.BaseCase?.Files.Select(f => new FileInput(f.RelativePath, f.FullPath, ContentHash.OfFile(f.FullPath))).ToList() ?? [];
        var templates = new JsonArray(recipe.BaseCase?.Files.Where(f => f.IsTemplate).Select(f => (JsonNode?)JsonValue.Create(f.RelativePath)).ToArray() ?? []);

        var perSampleNodes = new GraphNode[samples.Count][];
        Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = samples.Count < 500 ? 1 : Environment.ProcessorCount }, i =>
        {
            var sample = samples[i];
            var chain = new GraphNode[perSample.Count];
            var parameters = ToJson(sample.Parameters);
            for (var s = 0; s < perSample.Count; s++)
            {
                var stage = perSample[s];
                var settings = stage.Stage == StageNames.Render ? stage.Settings.With("templates", templates.DeepClone()) : stage.Settings;
                var spec = new JsonObject { ["params"] = parameters.DeepClone() };
                if (stage.Stage == StageNames.Render) spec["templates"] = templates.DeepClone();
                var node = NewNode(recipe, stage, $"{stage.Stage}/{sample.Id}", settings, spec, jobs, sample: sample,
                    files: stage.Stage == StageNames.Render ? files : []);
                if (s > 0) Link(chain[s - 1], node);
                chain[s] = node;
            }
            perSampleNodes[i] = chain;
        });

        var nodes = new List<GraphNode>(samples.Count * perSample.Count + 8);
        for (var s = 0; s < perSample.Count; s++)
            for (var i = 0; i < samples.Count; i++)
                nodes.Add(perSampleNodes[i][s]);

        var lasts = perSample.Count == 0 ? [] : perSampleNodes.Select(chain => chain[^1]).ToList();
        var shards = new List<GraphNode>();
        if (recipe.Stage(StageNames.Dataset) is { } dataset)
        {
            var shardSize = dataset.Settings.Contains(ShardSetting) ? Math.Max(1, dataset.Settings.GetInt(ShardSetting)) : Math.Max(1, samples.Count);
            var shardCount = (samples.Count + shardSize - 1) / shardSize;
            for (var k = 0; k < shardCount; k++)
            {
                var members = Enumerable.Range(k * shardSize, Math.Min(shardSize, samples.Count - k * shardSize)).ToList();
                var spec = new JsonObject
                {
                    ["shard"] = k,
                    ["samples"] = new JsonArray(members.Select(i => (JsonNode?)new JsonObject
                    {
                        ["id"] = samples[i].Id,
                        ["params"] = ToJson(samples[i].Parameters),
                    }).ToArray()),
                };
                var node = NewNode(recipe, dataset, $"dataset/shard-{k.ToString("D4", CultureInfo.InvariantCulture)}", dataset.Settings, spec, jobs, shard: k);
                foreach (var i in members) Link(lasts[i], node);
                shards.Add(node);
                nodes.Add(node);
            }
        }

        GraphNode? train = null;
        if (recipe.Stage(StageNames.Train) is { } trainStage)
        {
            train = NewNode(recipe, trainStage, "train", trainStage.Settings, new JsonObject { ["shards"] = shards.Count }, jobs,
                streaming: trainStage.Settings.GetBool(OnlineSetting, false));
            foreach (var shard in shards) Link(shard, train);
            nodes.Add(train);
        }
        if (recipe.Stage(StageNames.Evaluate) is { } evaluateStage && train is not null)
        {
            var evaluate = NewNode(recipe, evaluateStage, "evaluate", evaluateStage.Settings, new JsonObject { ["shards"] = shards.Count }, jobs);
            Link(train, evaluate);
            foreach (var shard in shards) Link(shard, evaluate);
            nodes.Add(evaluate);
        }
        return new BuildGraph(recipe, samples, nodes);
    }

    private static GraphNode NewNode(RecipeDefinition recipe, StageDefinition stage, string id, ValueMap settings, JsonObject spec, int jobs,
        Sample? sample = null, int? shard = null, IReadOnlyList<FileInput>? files = null, bool streaming = false)
    {
        spec["stage"] = stage.Stage;
        spec["plugin"] = stage.Plugin.Name;
        spec["version"] = stage.Plugin.Version;
        spec["settings"] = stage.KeySettings();
        var withoutSeed = CanonicalJson.Serialize(spec);
        var seed = new KeyBuilder().Add("recipe-seed", recipe.Seed.ToString(CultureInfo.InvariantCulture)).Add("spec", withoutSeed).BuildSeed();
        if (stage.Plugin.UsesSeed) spec["seed"] = seed.ToString(CultureInfo.InvariantCulture);
        var resources = stage.Plugin.GetResources(settings, jobs);
        if (stage.Threads is { } threads) resources = resources with { Threads = threads };
        return new GraphNode
        {
            Id = id,
            Stage = stage,
            Sample = sample,
            Shard = shard,
            Settings = settings,
            Spec = stage.Plugin.UsesSeed ? CanonicalJson.Serialize(spec) : withoutSeed,
            Seed = seed,
            Resources = resources with { Threads = Math.Clamp(resources.Threads, 1, Math.Max(1, jobs)) },
            Files = files ?? [],
            Streaming = streaming,
        };
    }

    private static void Link(GraphNode from, GraphNode to)
    {
        to.Dependencies.Add(from);
        lock (from.Dependents) from.Dependents.Add(to);
    }

    private static JsonObject ToJson(ValueMap values) =>
        new(values.Entries.Select(e => new KeyValuePair<string, JsonNode?>(e.Key, e.Value?.DeepClone())));
}
