using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Files;
using Recipes.Plugins.Formats;

namespace Recipes.Stages.Datasets;

/// <summary>
/// <c>dataset: { format: npy }</c>: per shard, the (input, target) pairs of its samples (every augmented copy) stacked
/// into float32 arrays per split, written as <c>shard-K.npz</c> (numpy) and <c>shard-K.safetensors</c> (PyTorch, JAX),
/// with <c>shard-K.json</c> listing every sample's split, parameters, the random draws that defined it (its
/// <c>draws.json</c>, when the solver drew any) and rows. Unsharded, the one node sees every
/// sample and no requested split is left empty (<see cref="SplitAssignment.AssignAll"/>); with <c>shard</c> set each
/// sample's split is its hash alone, so that a shard's contents never depend on the samples of other shards.
/// </summary>
public sealed class NpyDatasetStage : StagePlugin
{
    public override string Name => "npy";
    public override string Stage => StageNames.Dataset;
    // 3: shard-K.json carries each sample's draws beside its parameters.
    public override int Version => 3;
    public override string Summary => "Shards of (input, target) float32 pairs as .npz and .safetensors, split by sample.";

    private static readonly Setting<string> Input = Settings.Text("input", "Stem of the input field files (input.npy, or input.dK.npy after augmentation).", "input");
    private static readonly Setting<string> Target = Settings.Text("target", "Stem of the target field files.", "steady");
    private static readonly Setting<ValueMap> Split = Settings.Map("split", "Fractions per split, by sample: { train: 0.9, test: 0.1 } (valid allowed).",
        new JsonObject { ["train"] = 0.9, ["test"] = 0.1 });
    private static readonly Setting<int> SplitSeed = Settings.Int("split_seed", "Salt of the split assignment; change it to draw a different split.", 0);

    public override IReadOnlyList<OptionSpec> Options { get; } = [Input, Target, Split, SplitSeed];

    public static IReadOnlyList<(string Name, double Fraction)> Splits(ValueMap settings, Setting<ValueMap> split)
    {
        var map = split.Read(settings);
        return map.Keys.Select(k => (k, map.GetDouble(k))).OrderBy(s => s.k == "train" ? 0 : s.k == "valid" ? 1 : 2).ThenBy(s => s.k, StringComparer.Ordinal).ToList();
    }

    public override IEnumerable<OptionProblem> Validate(ValueMap settings) => SplitProblems(settings, Split);

    /// <summary>What is wrong with a dataset stage's split fractions, if anything.</summary>
    public static IEnumerable<OptionProblem> SplitProblems(ValueMap settings, Setting<ValueMap> split)
    {
        IReadOnlyList<(string Name, double Fraction)> splits;
        try
        {
            splits = Splits(settings, split);
        }
        catch (PluginException e)
        {
            return [new OptionProblem(split.Name, e.Message)];
        }
        if (splits.Count == 0 || splits.Any(s => s.Fraction < 0) || Math.Abs(splits.Sum(s => s.Fraction) - 1) > 1e-9)
            return [new OptionProblem(split.Name, "give non-negative fractions that sum to 1, e.g. { train: 0.9, test: 0.1 }")];
        if (splits.Any(s => s.Name is not ("train" or "valid" or "test")))
            return [new OptionProblem(split.Name, "splits are named train, valid and test")];
        return [];
    }

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var inputStem = Input.Read(context.Settings);
        var targetStem = Target.Read(context.Settings);
        var splits = Splits(context.Settings, Split);
        var salt = SplitSeed.Read(context.Settings);
        var rows = splits.ToDictionary(s => s.Name, _ => (Inputs: new List<float[]>(), Targets: new List<float[]>(), Samples: new List<int>()));
        var manifest = new JsonArray();
        int? size = null;
        var assigned = context.Settings.Contains(Schema.StageSettings.Shard)
            ? null
            : SplitAssignment.AssignAll(context.Upstream.Select(Id).Distinct().ToList(), splits, salt, "sample", "samples");
        foreach (var sample in context.Upstream)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = Id(sample);
            var split = assigned?[id] ?? SplitAssignment.Assign(id, splits, salt);
            var pairs = Pairs(sample, inputStem, targetStem);
            foreach (var (inputFile, targetFile) in pairs)
            {
                var input = Reading.SampleInput.Read(sample, inputFile, NpyFile.Read);
                var target = Reading.SampleInput.Read(sample, targetFile, NpyFile.Read);
                if (input.Shape.Length != 2 || !input.Shape.SequenceEqual(target.Shape))
                    throw new PluginException($"{sample.NodeId}: {inputFile.Name} {Shape(input)} and {targetFile.Name} {Shape(target)} must be equal 2-D shapes");
                size ??= input.Shape[0];
                if (input.Shape[0] != size || input.Shape[1] != size)
                    throw new PluginException($"{sample.NodeId}: {inputFile.Name} is {Shape(input)}, other samples are ({size}, {size})");
                rows[split].Inputs.Add(input.Data);
                rows[split].Targets.Add(target.Data);
                rows[split].Samples.Add(sample.SampleIndex ?? -1);
            }
            var entry = new JsonObject
            {
                ["id"] = id,
                ["split"] = split,
                ["pairs"] = pairs.Count,
                ["parameters"] = new JsonObject(sample.Parameters.Entries.Select(e => new KeyValuePair<string, JsonNode?>(e.Key, e.Value?.DeepClone()))),
            };
            if (Draws(sample) is { } draws) entry[SampleDraws.Key] = draws;
            manifest.Add(entry);
        }
        var n = size ?? 0;
        var shard = context.NodeId[(context.NodeId.LastIndexOf('/') + 1)..];
        var floats = new SortedDictionary<string, NpyArray>(StringComparer.Ordinal);
        var ints = new SortedDictionary<string, (int[] Shape, int[] Data)>(StringComparer.Ordinal);
        foreach (var (name, (inputs, targets, samples)) in rows)
        {
            floats[$"{name}_inputs"] = Stack(inputs, n);
            floats[$"{name}_targets"] = Stack(targets, n);
            ints[$"{name}_samples"] = ([samples.Count], samples.ToArray());
            context.Metrics[$"{name}_pairs"] = inputs.Count;
        }
        NpzFile.Write(context.OutputPath($"{shard}.npz"), floats, ints);
        var tensors = floats.ToDictionary(f => f.Key, f => SafeTensorsFile.Tensor.Of(f.Value));
        foreach (var (name, (shape, data)) in ints) tensors[name] = SafeTensorsFile.Tensor.OfInts(shape, data);
        SafeTensorsFile.Write(context.OutputPath($"{shard}.safetensors"), tensors, new Dictionary<string, string> { ["size"] = n.ToString(CultureInfo.InvariantCulture) });
        File.WriteAllText(context.OutputPath($"{shard}.json"), new JsonObject { ["shard"] = shard, ["size"] = n, ["samples"] = manifest }
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return Task.CompletedTask;
    }

    /// <summary>
    /// The draws a sample's <c>draws.json</c> records (read through the bounded reader, an object of finite numbers),
    /// or null when its solver drew nothing.
    /// </summary>
    public static JsonObject? Draws(UpstreamArtifacts sample)
    {
        if (sample.Find(SampleDraws.FileName) is not { } file) return null;
        var document = Reading.SampleInput.Read(sample, file, path => Reading.BoundedJson.ParseObject(RegularFile.ReadAllBytes(path, SampleDraws.MaxBytes), file.Name));
        if (document[SampleDraws.Key] is not JsonObject draws)
            throw new PluginException($"{sample.NodeId}: {file.Name} has no \"{SampleDraws.Key}\" object");
        // JSON text cannot hold NaN, but a number too large for a double reads as infinity.
        if (SampleDraws.FirstNonFinite(draws, SampleDraws.Key) is { } where)
            throw new PluginException($"{sample.NodeId}: {file.Name}: {where} is not a finite number");
        return (JsonObject)draws.DeepClone();
    }

    private static string Id(UpstreamArtifacts sample) => sample.SampleId ?? sample.NodeId;

    /// <summary>The (input, target) files of one sample: augmented copies name.dK.npy when present, else name.npy.</summary>
    public static List<(Artifact Input, Artifact Target)> Pairs(UpstreamArtifacts sample, string inputStem, string targetStem)
    {
        var pairs = new List<(Artifact, Artifact)>();
        for (var k = 0; ; k++)
        {
            var input = sample.Find($"{inputStem}.d{k}.npy");
            var target = sample.Find($"{targetStem}.d{k}.npy");
            if (input is null || target is null) break;
            pairs.Add((input, target));
        }
        if (pairs.Count == 0 && sample.Find($"{inputStem}.npy") is { } i && sample.Find($"{targetStem}.npy") is { } t)
            pairs.Add((i, t));
        if (pairs.Count == 0)
            throw new PluginException($"{sample.NodeId} has no {inputStem}/{targetStem} pair; it wrote: {string.Join(", ", sample.Files.Select(f => f.Name))} (set stages.dataset.input and target)");
        return pairs;
    }

    private static NpyArray Stack(List<float[]> fields, int n)
    {
        var data = new float[fields.Count * n * n];
        for (var k = 0; k < fields.Count; k++) fields[k].CopyTo(data, k * n * n);
        return new NpyArray([fields.Count, n, n], data);
    }

    private static string Shape(NpyArray a) => "(" + string.Join(", ", a.Shape) + ")";
}
