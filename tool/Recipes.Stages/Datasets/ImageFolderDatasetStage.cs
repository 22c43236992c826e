using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Hashing;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using Recipes.Plotting.Imaging;

namespace Recipes.Stages.Datasets;

/// <summary>
/// <c>dataset: { format: image-folder }</c>: one image per sample in the image-folder layout common ML tooling reads
/// as an image dataset (Hugging Face <c>datasets</c>' "imagefolder" with metadata): <c>&lt;split&gt;/&lt;id&gt;.png</c> and
/// <c>&lt;split&gt;/metadata.jsonl</c> with one line per image, <c>{"file_name": "&lt;id&gt;.png", &lt;parameters&gt;}</c>.
/// For the trainers the same data as arrays: <c>&lt;split&gt;_images.npy</c> float32 [N, 1, H, W] in [0, 1] and
/// <c>&lt;split&gt;_params.npy</c> float32 [N, P], plus <c>metadata.json</c> (parameter names, their ranges, ids per split).
/// Unless <c>parquet: false</c>, the same rows as Parquet shards in the Hub's layout (<see cref="HubParquet"/>), and
/// always a dataset card, <c>README.md</c>, whose header tells <c>datasets</c> the splits and features (<see cref="DatasetCard"/>).
/// Samples whose solver drew random values (a smoke source's strengths) have them in <c>draws.jsonl</c>.
/// </summary>
public sealed class ImageFolderDatasetStage : StagePlugin
{
    public override string Name => "image-folder";
    public override string Stage => StageNames.Dataset;
    // 4: draws.jsonl records the random draws of every sample whose solver drew any.
    public override int Version => 4;
    public override string Summary => "Images in the image-folder layout with metadata.jsonl, Parquet shards and a dataset card as the Hugging Face Hub reads them, plus float32 .npy arrays of images and parameters per split.";

    /// <summary>Every sample's draws, one JSON object a line: <c>{"id", "split", "draws"}</c>; absent when no solver drew.</summary>
    public const string DrawsFile = "draws.jsonl";

    private static readonly Setting<string> Image = Settings.Text("image", "The per-sample output to collect.", "image.png");
    private static readonly Setting<ValueMap> Split = Settings.Map("split", "Fractions per split, by sample: { train: 0.9, test: 0.1 } (valid allowed).",
        new JsonObject { ["train"] = 0.9, ["test"] = 0.1 });
    private static readonly Setting<int> SplitSeed = Settings.Int("split_seed", "Salt of the split assignment.", 0);

    // On by default: the shards are what the Hub and load_dataset("parquet") read unchanged. A setting, because they hold
    // every PNG a second time, which a sweep whose images only feed the Recipes trainers can do without.
    private static readonly Setting<bool> ParquetShards = Settings.Flag("parquet",
        "Also write the images and parameters as Parquet shards in the Hugging Face Hub layout (data/train-00000-of-00001.parquet, ...).", true);

    private static readonly Setting<IReadOnlyList<string>?> Parameters = Settings.OptionalTexts("parameters", "Sample parameters recorded per image and used as conditions (default: every numeric one).");
    private static readonly Setting<int?> Size = Settings.OptionalInt("size", "Resize images to size x size pixels (default: keep; all must then be the same size).", min: 4, max: 4096);

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        Image,
        Parameters,
        Size,
        Split,
        SplitSeed,
        ParquetShards,
    ];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        foreach (var problem in NpyDatasetStage.SplitProblems(settings, Split)) yield return problem;
        if (settings.Contains(Schema.StageSettings.Shard))
            yield return new OptionProblem(Schema.StageSettings.Shard, "image-folder writes one folder per split; leave dataset.shard unset");
    }

    public override async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var imageName = Image.Read(s);
        var splits = NpyDatasetStage.Splits(s, Split);
        var salt = SplitSeed.Read(s);
        if (context.Upstream.Count == 0) throw new PluginException("no samples to collect");
        var names = Parameters.Read(s)
            ?? context.Upstream[0].Parameters.Keys.Where(k => IsNumber(context.Upstream[0].Parameters, k)).ToList();
        if (names.Contains("image"))
            throw new PluginException("a parameter named 'image' would clash with the image column of the Parquet shards and the card; leave it out of dataset.parameters");
        // A column is int64 when every sample's value is a whole JSON integer (an int draw, a seed), else float64.
        var columns = names.Select(n => new ParameterColumn(n, context.Upstream.All(u => u.Parameters.TryGet(n, out var v) && IsInteger(v)))).ToList();
        var members = splits.ToDictionary(x => x.Name, _ => new List<(string Id, GrayImage Image, double[] Values, JsonNode?[] Raw)>());
        var resize = Size.Read(s);
        var size = resize;
        // Every requested split gets a sample (or the build says there are too few), as the other dataset formats do.
        var assigned = SplitAssignment.AssignAll(context.Upstream.Select(u => u.SampleId ?? u.NodeId).ToList(), splits, salt, "sample", "samples");
        var drawLines = new StringBuilder();
        foreach (var sample in context.Upstream)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = sample.SampleId ?? sample.NodeId;
            var image = Reading.SampleInput.Read(sample, sample.Get(imageName), GrayImage.Load);
            size ??= image.Width;
            if (image.Width != size || image.Height != size) image = resize is not null
                ? image.Resize(size.Value, size.Value)
                : throw new PluginException($"{sample.NodeId}: {imageName} is {image.Width}x{image.Height}, others {size}x{size}; set dataset.size to resize");
            var values = names.Select(n => sample.Parameters.Contains(n)
                ? sample.Parameters.GetDouble(n)
                : throw new PluginException($"{sample.NodeId} has no parameter '{n}' (it has: {string.Join(", ", sample.Parameters.Keys)})")).ToArray();
            members[assigned[id]].Add((id, image, values, names.Select(n => sample.Parameters[n]).ToArray()));
            // One line per sample beside the metadata, not a column of it: the Hub's readers want flat columns, and a
            // smoke source's strengths are a few thousand numbers.
            if (NpyDatasetStage.Draws(sample) is { } draws)
                drawLines.Append(new JsonObject { ["id"] = id, ["split"] = assigned[id], [SampleDraws.Key] = draws }.ToJsonString()).Append('\n');
        }
        if (drawLines.Length > 0) File.WriteAllText(context.OutputPath(DrawsFile), drawLines.ToString());

        var pixels = size!.Value * size.Value;
        var parquet = ParquetShards.Read(s);
        var schema = HubParquet.Schema(columns);
        var featuresMetadata = HubParquet.FeaturesMetadata(columns);
        var cardSplits = new List<CardSplit>();
        foreach (var (split, items) in members)
        {
            var lines = new StringBuilder();
            var images = new float[items.Count * pixels];
            var parameters = new float[items.Count * names.Count];
            var rows = new List<ParquetRow>(items.Count);
            for (var k = 0; k < items.Count; k++)
            {
                var (id, image, values, raw) = items[k];
                var file = context.OutputPath($"{split}/{id}.png");
                image.SavePng(file);
                var line = new JsonObject { ["file_name"] = $"{id}.png" };
                // Whole numbers stay exact (a 63-bit sample_seed does not survive a double).
                var cells = columns.Select((c, p) => c.IsInteger ? (JsonValue)JsonValue.Create(ValueMap.ToLong(c.Name, raw[p])) : JsonValue.Create(values[p])).ToArray();
                for (var p = 0; p < names.Count; p++) line[names[p]] = cells[p].DeepClone();
                lines.Append(line.ToJsonString()).Append('\n');
                image.Pixels.CopyTo(images, k * pixels);
                for (var p = 0; p < names.Count; p++) parameters[k * names.Count + p] = (float)values[p];
                rows.Add(new ParquetRow($"{split}/{id}.png", file, cells));
            }
            File.WriteAllText(context.OutputPath($"{split}/metadata.jsonl"), lines.ToString());
            NpyFile.Write(context.OutputPath($"{split}_images.npy"), new NpyArray([items.Count, 1, size.Value, size.Value], images));
            NpyFile.Write(context.OutputPath($"{split}_params.npy"), new NpyArray([items.Count, names.Count], parameters));
            if (parquet)
                foreach (var (path, shardRows) in HubParquet.Shards(split, rows))
                    await HubParquet.WriteAsync(context.OutputPath(path), schema, featuresMetadata, shardRows, cancellationToken);
            cardSplits.Add(new CardSplit(split, items.Count, parquet ? $"data/{split}-*.parquet" : $"{split}/*"));
            context.Metrics[$"{split}_images"] = items.Count;
        }

        var all = members.Values.SelectMany(m => m).ToList();
        var ranges = names.Select((_, p) => (all.Min(i => i.Values[p]), all.Max(i => i.Values[p]))).ToList();
        var cardRanges = columns.Select((c, p) => c.IsInteger
            ? (all.Min(i => ValueMap.ToLong(c.Name, i.Raw[p])).ToString(CultureInfo.InvariantCulture), all.Max(i => ValueMap.ToLong(c.Name, i.Raw[p])).ToString(CultureInfo.InvariantCulture))
            : (ranges[p].Item1.ToString("R", CultureInfo.InvariantCulture), ranges[p].Item2.ToString("R", CultureInfo.InvariantCulture))).ToList();
        var metadata = new JsonObject
        {
            ["size"] = size.Value,
            ["parameters"] = new JsonArray(names.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
            ["minimum"] = new JsonArray(ranges.Select(r => (JsonNode?)JsonValue.Create(r.Item1)).ToArray()),
            ["maximum"] = new JsonArray(ranges.Select(r => (JsonNode?)JsonValue.Create(r.Item2)).ToArray()),
            ["splits"] = new JsonObject(members.Select(m => new KeyValuePair<string, JsonNode?>(m.Key,
                new JsonArray(m.Value.Select(i => (JsonNode?)JsonValue.Create(i.Id)).ToArray())))),
        };
        File.WriteAllText(context.OutputPath("metadata.json"), metadata.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        // Only settings that enter the key, canonical as the key hashes them, so that the card stays a function of it.
        var settings = new JsonObject(Options.Where(o => o.AffectsOutput && s.Contains(o.Name))
            .Select(o => new KeyValuePair<string, JsonNode?>(o.Name, s[o.Name]?.DeepClone())));
        File.WriteAllText(context.OutputPath("README.md"), DatasetCard.Write(cardSplits, columns, cardRanges,
            new DatasetCard.Provenance(context.NodeId, context.Key, Name, Version, CanonicalJson.Serialize(settings), size.Value), draws: drawLines.Length > 0));
        context.Log.WriteLine($"{all.Count} images of {size}x{size}, parameters: {string.Join(", ", names)}");
    }

    private static bool IsInteger(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && (value.TryGetValue<long>(out _) || value.TryGetValue<int>(out _));

    private static bool IsNumber(ValueMap parameters, string key) =>
        parameters[key] is JsonValue value && (value.TryGetValue<double>(out _) || value.TryGetValue<long>(out _) || value.TryGetValue<int>(out _));
}
