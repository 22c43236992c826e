using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Md = Recipes.Escaping.MarkdownText;

namespace Recipes.Stages.Datasets;

/// <summary>A split as the card describes it: its name, its rows, and the <c>data_files</c> pattern that finds them.</summary>
internal sealed record CardSplit(string Name, int Examples, string Pattern);

/// <summary>
/// The dataset card (<c>README.md</c>) of an image-folder dataset: the YAML header that <c>datasets</c> and the Hub read
/// (<c>configs</c> with <c>data_files</c> per split, <c>dataset_info</c> with features and split sizes) and a body with
/// provenance and the lines that load it. Everything in it follows from the node's key: no recipe name (renaming a
/// recipe keeps its keys, so a cached card could name another recipe) and no license (the recipe declares none; the
/// header leaves it out rather than invent one). Every name and value from the recipe goes through the one Markdown
/// escaper (<see cref="Escaping.MarkdownText"/>) and, in the header, is a JSON-quoted YAML scalar unless plainly safe.
/// </summary>
internal static partial class DatasetCard
{
    public sealed record Provenance(string NodeId, string? Key, string Plugin, int Version, string Settings, int Size);

    public static string Write(IReadOnlyList<CardSplit> splits, IReadOnlyList<ParameterColumn> columns,
        IReadOnlyList<(string Minimum, string Maximum)> ranges, Provenance provenance, bool draws = false)
    {
        var total = splits.Sum(s => s.Examples);
        var card = new StringBuilder();
        card.Append("---\n");
        card.Append("configs:\n- config_name: default\n  data_files:\n");
        foreach (var split in splits) card.Append($"  - split: {Scalar(split.Name)}\n    path: {Scalar(split.Pattern)}\n");
        card.Append("dataset_info:\n  features:\n  - name: image\n    dtype: image\n");
        foreach (var column in columns) card.Append($"  - name: {Scalar(column.Name)}\n    dtype: {column.Dtype}\n");
        card.Append("  splits:\n");
        foreach (var split in splits) card.Append($"  - name: {Scalar(split.Name)}\n    num_examples: {Number(split.Examples)}\n");
        card.Append("size_categories:\n- ").Append(SizeCategory(total)).Append('\n');
        card.Append("tags:\n- synthetic\n- simulation\n");
        card.Append("---\n\n");

        card.Append("# Simulated images\n\n");
        card.Append($"{Number(total)} grayscale {provenance.Size}x{provenance.Size} PNG images, one per simulated sample, each with the ");
        card.Append("sample's parameters as columns; written by the ").Append(Md.Code(provenance.Plugin)).Append(" dataset stage of a Recipes build.\n\n");

        card.Append("## Provenance\n\n");
        card.Append("- node: ").Append(Md.Code(provenance.NodeId)).Append('\n');
        if (provenance.Key is { } key) card.Append("- action key: ").Append(Md.Code(key)).Append(" (the cache entry that holds these files)\n");
        card.Append("- stage: ").Append(Md.Code(provenance.Plugin)).Append(" version ").Append(Number(provenance.Version)).Append(", settings ").Append(Md.Code(provenance.Settings)).Append('\n');
        card.Append("- splits: ").Append(string.Join(", ", splits.Select(s => $"{s.Name} {Number(s.Examples)}"))).Append("\n\n");
        card.Append("| parameter | dtype | minimum | maximum |\n| --- | --- | --- | --- |\n");
        for (var p = 0; p < columns.Count; p++)
            card.Append($"| {Md.Code(columns[p].Name, inTable: true)} | {columns[p].Dtype} | {Md.Text(ranges[p].Minimum)} | {Md.Text(ranges[p].Maximum)} |\n");
        card.Append('\n');

        card.Append("## Files\n\n");
        card.Append("- `data/<split>-00000-of-0000N.parquet`: the Hub's layout; `image` is a struct of the PNG `bytes` and its `path` ");
        card.Append("(`datasets`' `Image` feature), then one column per parameter, rows in the order of `metadata.jsonl`.\n");
        card.Append("- `<split>/<id>.png` with `<split>/metadata.jsonl`: the same images as an image folder.\n");
        card.Append("- `<split>_images.npy`, `<split>_params.npy`, `metadata.json`: float32 arrays for the Recipes trainers.\n");
        // Named only when written, so the card never points at a file that is not there.
        if (draws) card.Append("- `draws.jsonl`: per sample, the random values its simulation drew (`{\"id\", \"split\", \"draws\"}`), to re-simulate it.\n");
        card.Append('\n');

        card.Append("## Load\n\nFrom this folder (or with its path in front of each pattern):\n\n```python\nfrom datasets import load_dataset\n\n");
        card.Append("ds = load_dataset(\".\")  # reads the configs above\n");
        card.Append("ds = load_dataset(\"parquet\", data_files={")
            .Append(string.Join(", ", splits.Select(s => $"\"{s.Name}\": \"data/{s.Name}-*.parquet\""))).Append("})\n");
        card.Append("ds = load_dataset(\"imagefolder\", data_dir=\"").Append(splits[0].Name).Append("\", split=\"").Append(splits[0].Name)
            .Append("\")  # one split folder; the dataset folder itself would resolve to the Parquet shards\n```\n");
        return card.ToString();
    }

    /// <summary>The Hub's <c>size_categories</c> bucket for a row count.</summary>
    private static string SizeCategory(int n) => n switch
    {
        < 1_000 => "n<1K",
        < 10_000 => "1K<n<10K",
        < 100_000 => "10K<n<100K",
        < 1_000_000 => "100K<n<1M",
        < 10_000_000 => "1M<n<10M",
        _ => "10M<n<100M",
    };

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A name as a YAML scalar: plain when it cannot be mistaken for anything else, else JSON-quoted (valid YAML).</summary>
    private static string Scalar(string text) =>
        PlainScalar().IsMatch(text) && !Reserved.Contains(text) ? text : JsonValue.Create(text).ToJsonString();

    private static readonly HashSet<string> Reserved = new(["true", "false", "null", "yes", "no", "on", "off", "y", "n"], StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_./*-]*$")]
    private static partial Regex PlainScalar();
}
