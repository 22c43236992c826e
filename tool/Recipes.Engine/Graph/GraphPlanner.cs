using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Hashing;
using Recipes.Plugins;
using Recipes.Recipe;
using Recipes.Sampling;
using Recipes.Schema;

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


    /// <summary>
    /// Plans the recipe's graph. For an adaptive sampler this is its first round only (the initial design and the
    /// round that chooses from it); <see cref="Adaptive.AdaptiveExpansion"/> plans as far as the cache allows.
    /// </summary>
    public static BuildGraph Plan(RecipeDefinition recipe) =>
        Plan(recipe, recipe.Samples, recipe.Adaptive is null ? null : new Adaptive.AdaptiveFrontier(0));

    /// <summary>
    /// Plans the given samples. With a frontier (adaptive sampler), the graph also holds the select nodes of rounds 1 to
    /// one past the rounds already chosen, and the dataset, train and evaluate nodes only once every round has chosen.
    /// </summary>
    public static BuildGraph Plan(RecipeDefinition recipe, IReadOnlyList<Sample> samples, Adaptive.AdaptiveFrontier? frontier)
    {
        var perSample = recipe.Stages.Where(s => StageNames.IsPerSample(s.Stage)).ToList();
        var files = recipe.BaseCase?.Files.Select(f => new FileInput(f.RelativePath, f.FullPath, ContentHash.OfFile(f.FullPath))).ToList() ?? [];
        var templates = new JsonArray(recipe.BaseCase?.Files.Where(f => f.IsTemplate).Select(f => (JsonNode?)JsonValue.Create(f.RelativePath)).ToArray() ?? []);
        var templatesJson = CanonicalJson.Serialize(templates);
        var stageParts = recipe.Stages.ToDictionary(s => s.Stage, s => StageParts(s, recipe.RecipeDirectory));
        var renderSettings = recipe.Stage(StageNames.Render)?.Settings.With("templates", templates);
        var canonicalParameters = new string[samples.Count];
        // Per stage once: the members its sample nodes share, and the names each fills in.
        var layouts = perSample.ToDictionary(s => s.Stage, s => s.Stage == StageNames.Render
            ? new NodeSpecLayout(stageParts[s.Stage], "params", "templates")
            : new NodeSpecLayout(stageParts[s.Stage], "params"));

        var perSampleNodes = new GraphNode[samples.Count][];
        Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = samples.Count < 500 ? 1 : Environment.ProcessorCount }, i =>
        {
            var sample = samples[i];
            var chain = new GraphNode[perSample.Count];
            // A sample's parameters are canonicalized once and shared by all of its nodes' specs.
            var parameters = canonicalParameters[i] = CanonicalJson.ObjectOfSorted(sample.Parameters.Entries);
            for (var s = 0; s < perSample.Count; s++)
            {
                var stage = perSample[s];
                var isRender = stage.Stage == StageNames.Render;
                var settings = isRender ? renderSettings! : stage.Settings;
                var spec = isRender ? new NodeSpec(layouts[stage.Stage], parameters, templatesJson) : new NodeSpec(layouts[stage.Stage], parameters);
                // The id is the stage's and the sample's, made when asked (GraphNode.Id).
                var node = NewNode(recipe, stage, null, settings, spec, sample: sample, files: isRender ? files : []);
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
        if (frontier is not null && recipe.Adaptive is { } adaptive && recipe.SelectStage is { } selectStage)
        {
            var rounds = Math.Min(frontier.ChosenRounds + 1, adaptive.Rounds);
            var selectParts = StageParts(selectStage, recipe.RecipeDirectory);
            for (var round = 1; round <= rounds; round++)
            {
                var before = Enumerable.Range(0, samples.Count).Where(i => (samples[i].Origin?.Round ?? 0) < round).ToList();
                var (settings, spec) = Adaptive.AdaptiveRounds.NodeInputs(recipe, adaptive, selectStage, round, before.Select(i => samples[i]).ToList(), selectParts);
                var node = NewNode(recipe, selectStage, Adaptive.AdaptiveRounds.NodeId(round), settings, new NodeSpec([.. spec]));
                foreach (var i in before) Link(lasts[i], node);
                nodes.Add(node);
            }
            // The tail learns from the whole sweep, so it waits until every round has chosen its samples.
            if (frontier.ChosenRounds < adaptive.Rounds) return new BuildGraph(recipe, samples, nodes);
        }
        var shards = new List<GraphNode>();
        if (recipe.Stage(StageNames.Dataset) is { } dataset)
        {
            var shardLayout = new NodeSpecLayout(stageParts[StageNames.Dataset], "shard", "samples");
            var shardSize = dataset.Settings.Contains(StageSettings.Shard) ? Math.Max(1, dataset.Settings.GetInt(StageSettings.Shard)) : Math.Max(1, samples.Count);
            var shardCount = (samples.Count + shardSize - 1) / shardSize;
            for (var k = 0; k < shardCount; k++)
            {
                var first = k * shardSize;
                var members = Enumerable.Range(first, Math.Min(shardSize, samples.Count - first)).ToList();
                var shardText = k.ToString(CultureInfo.InvariantCulture);
                // The membership is made when the key is hashed (or the spec shown), not kept: it repeats every
                // sample's parameters, which the sample nodes' specs hold already.
                var spec = new NodeSpec(shardLayout, own => own == 0 ? shardText : Membership(samples, canonicalParameters, first, members.Count));
                var node = NewNode(recipe, dataset, $"dataset/shard-{k.ToString("D4", CultureInfo.InvariantCulture)}", dataset.Settings, spec, shard: k);
                foreach (var i in members) Link(lasts[i], node);
                shards.Add(node);
                nodes.Add(node);
            }
        }

        GraphNode? train = null;
        var shardCountText = shards.Count.ToString(CultureInfo.InvariantCulture);
        if (recipe.Stage(StageNames.Train) is { } trainStage)
        {
            train = NewNode(recipe, trainStage, "train", trainStage.Settings, new NodeSpec([.. stageParts[StageNames.Train], new("shards", shardCountText)]),
                streaming: trainStage.Settings.GetBool(StageSettings.Online, false), files: DeclaredFiles(trainStage, recipe.RecipeDirectory));
            foreach (var shard in shards) Link(shard, train);
            nodes.Add(train);
        }
        if (recipe.Stage(StageNames.Evaluate) is { } evaluateStage && train is not null)
        {
            var evaluate = NewNode(recipe, evaluateStage, "evaluate", evaluateStage.Settings, new NodeSpec([.. stageParts[StageNames.Evaluate], new("shards", shardCountText)]),
                files: DeclaredFiles(evaluateStage, recipe.RecipeDirectory));
            Link(train, evaluate);
            foreach (var shard in shards) Link(shard, evaluate);
            nodes.Add(evaluate);
        }
        PlanTargets(recipe, shards, nodes);
        return new BuildGraph(recipe, samples, nodes);
    }

    /// <summary>
    /// The named targets' nodes: per point a train node over the shards (and the train node of the target it needs)
    /// and an evaluate node over that and the shards, keyed like the unnamed target's nodes by their own settings; the
    /// target's name is not in the key, so renaming a target or moving a point retrains nothing.
    /// </summary>
    private static void PlanTargets(RecipeDefinition recipe, List<GraphNode> shards, List<GraphNode> nodes)
    {
        if (recipe.Targets.Count == 0) return;
        var shardCountText = shards.Count.ToString(CultureInfo.InvariantCulture);
        var trained = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        foreach (var target in recipe.Targets)
        {
            foreach (var point in target.Points)
            {
                var reference = new Targets.TargetRef(target.Name, point.Label);
                var train = NewNode(recipe, point.Train, $"{StageNames.Train}/{reference.Label}", point.Train.Settings,
                    new NodeSpec([.. StageParts(point.Train, recipe.RecipeDirectory), new("shards", shardCountText)]),
                    streaming: point.Train.Settings.GetBool(StageSettings.Online, false), target: reference, files: DeclaredFiles(point.Train, recipe.RecipeDirectory));
                foreach (var shard in shards) Link(shard, train);
                if (target.Needs is { } needs) Link(trained[needs], train);
                nodes.Add(train);
                if (!target.IsSwept) trained[target.Name] = train;
                if (point.Evaluate is not { } evaluateStage) continue;
                var evaluate = NewNode(recipe, evaluateStage, $"{StageNames.Evaluate}/{reference.Label}", evaluateStage.Settings,
                    new NodeSpec([.. StageParts(evaluateStage, recipe.RecipeDirectory), new("shards", shardCountText)]), target: reference,
                    files: DeclaredFiles(evaluateStage, recipe.RecipeDirectory));
                Link(train, evaluate);
                foreach (var shard in shards) Link(shard, evaluate);
                nodes.Add(evaluate);
            }
        }
    }

    /// <summary>A shard's members as its spec names them: each sample's id and canonical parameters, in sample order.</summary>
    private static string Membership(IReadOnlyList<Sample> samples, string[] canonicalParameters, int first, int count)
    {
        var text = new System.Text.StringBuilder(count * 96).Append('[');
        for (var i = first; i < first + count; i++)
        {
            if (i > first) text.Append(',');
            text.Append(CanonicalJson.ObjectOf([new("id", CanonicalJson.String(samples[i].Id)), new("params", canonicalParameters[i])]));
        }
        return text.Append(']').ToString();
    }

    /// <summary>The files a stage's settings name (an exec trainer's script), hashed by content; none for most stages.</summary>
    private static List<FileInput> DeclaredFiles(StageDefinition stage, string recipeDirectory)
    {
        if (stage.Plugin is not IDeclaresInputFiles declares) return [];
        try
        {
            return declares.InputFiles(stage.Settings, stage.DirectoryOr(recipeDirectory))
                .Select(f => new FileInput(f.Name, f.FullPath, ContentHash.OfFile(f.FullPath))).ToList();
        }
        catch (PluginException e)
        {
            throw new Diagnostics.RecipeException(stage.Location, $"{stage.Stage}: {e.Message}");
        }
    }

    /// <summary>The spec members every node of a stage shares, canonical once, with the simulator's identity if it has one.</summary>
    private static List<KeyValuePair<string, string>> StageParts(StageDefinition stage, string recipeDirectory)
    {
        List<KeyValuePair<string, string>> parts =
        [
            new("stage", CanonicalJson.String(stage.Stage)),
            new("plugin", CanonicalJson.String(stage.Plugin.Name)),
            new("version", stage.Plugin.Version.ToString(CultureInfo.InvariantCulture)),
            new("settings", CanonicalJson.Serialize(stage.KeySettings())),
        ];
        string? identity;
        try
        {
            identity = stage.Plugin.Identity(stage.Settings, stage.DirectoryOr(recipeDirectory));
        }
        catch (PluginException e)
        {
            throw new Diagnostics.RecipeException(stage.Location, $"stages.{stage.Stage}: {e.Message}");
        }
        if (identity is not null) parts.Add(new("identity", CanonicalJson.String(identity)));
        return parts;
    }

    private static GraphNode NewNode(RecipeDefinition recipe, StageDefinition stage, string? id, ValueMap settings, NodeSpec spec,
        Sample? sample = null, int? shard = null, IReadOnlyList<FileInput>? files = null, bool streaming = false, Targets.TargetRef? target = null)
    {
        var specObject = spec;
        // A resumable trainer's runs of every length form one family: the spec without the length setting. Its seed comes
        // from that, so a longer run draws what the shorter one drew and can continue from its checkpoint.
        NodeSpec? family = null;
        if (stage.Plugin is IResumableTrainer resumable)
        {
            var keySettings = stage.KeySettings();
            keySettings.Remove(resumable.LengthSetting);
            family = new NodeSpec([.. spec.Members.Where(m => m.Key != "settings"), new("settings", CanonicalJson.Serialize(keySettings))]);
        }
        if (stage.Plugin.UsesSeed)
        {
            // The seed enters the spec of a plug-in that draws random numbers; digits need no escaping in canonical JSON.
            var seed = NodeSeed.Derive(recipe.Seed, (family ?? specObject).Members);
            specObject = new NodeSpec([.. spec.Members, new(NodeSeed.Member, "\"" + seed.ToString(CultureInfo.InvariantCulture) + "\"")]);
        }
        // What the stage asks for, whatever --jobs is: the plan's slots grant at most --jobs (BuildPlan), the one place
        // the cap is applied, and the node is told what it was granted.
        var resources = stage.Plugin.GetResources(settings);
        if (stage.Threads is { } threads) resources = resources with { Threads = threads };
        if (resources.Threads < 1) resources = resources with { Threads = 1 };
        return new GraphNode
        {
            // Null for a sample's node: GraphNode makes it from the stage and the sample when asked.
            Id = id!,
            Stage = stage,
            Sample = sample,
            Shard = shard,
            Target = target,
            ResumeFamily = family,
            Settings = settings,
            Spec = specObject,
            RecipeSeed = recipe.Seed,
            Resources = resources,
            Files = files ?? [],
            Streaming = streaming,
        };
    }

    private static void Link(GraphNode from, GraphNode to)
    {
        GraphNode.Link(from, to);
    }
}
