using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Stages.Tables;

/// <summary>
/// A tabular dataset: one row per sample with its id, its varying parameters and the numbers of a per-sample JSON
/// result file (a flat object of numbers). Suits sweeps whose outputs are scalars.
/// </summary>
public sealed class CsvDatasetStage : StagePlugin
{
    public override string Name => "csv";
    public override string Stage => StageNames.Dataset;
    public override int Version => 1;
    public override string Summary => "One CSV row per sample: parameters and the numbers of a JSON result file.";

    private static readonly Setting<string> Result = Settings.Text("result", "Name of the per-sample JSON file (a flat object of numbers) whose values become columns.", "result.json");

    public override IReadOnlyList<OptionSpec> Options { get; } = [Result];

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var resultName = Result.Read(context.Settings);
        var rows = new List<(UpstreamArtifacts Sample, JsonObject Values)>();
        foreach (var sample in context.Upstream)
        {
            var artifact = sample.Find(resultName)
                ?? throw new PluginException($"{sample.NodeId} has no '{resultName}' to tabulate; set stages.dataset.result to one of: {string.Join(", ", sample.Files.Select(f => f.Name))}");
            rows.Add((sample, Reading.SampleInput.Object(sample, artifact)));
        }
        var parameterColumns = rows.SelectMany(r => r.Sample.Parameters.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var valueColumns = rows.SelectMany(r => r.Values.Select(v => v.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder();
        csv.AppendJoin(',', new[] { "id" }.Concat(parameterColumns).Concat(valueColumns)).Append('\n');
        foreach (var (sample, values) in rows)
        {
            var cells = new List<string> { sample.SampleId ?? sample.NodeId };
            cells.AddRange(parameterColumns.Select(c => Cell(sample.Parameters.TryGet(c, out var v) ? v : null, sample, c)));
            cells.AddRange(valueColumns.Select(c => Cell(values[c], sample, $"{resultName}: {c}")));
            csv.AppendJoin(',', cells).Append('\n');
        }
        var shard = context.NodeId.Contains("shard-", StringComparison.Ordinal) ? context.NodeId[(context.NodeId.LastIndexOf('/') + 1)..] : "table";
        File.WriteAllText(context.OutputPath($"{shard}.csv"), csv.ToString());
        context.Metrics["rows"] = rows.Count;
        return Task.CompletedTask;
    }

    /// <summary>
    /// One cell. Nothing non-finite reaches out/: a number such as 1e999 (which JSON parses as infinity) or a text that
    /// reads as one ("NaN", "-Infinity", "inf", as pandas would read it back) fails the node naming the sample and field.
    /// </summary>
    private static string Cell(JsonNode? value, UpstreamArtifacts sample, string field)
    {
        var text = value switch
        {
            null => "",
            JsonValue v when v.TryGetValue(out long l) => l.ToString(CultureInfo.InvariantCulture),
            JsonValue v when v.TryGetValue(out double d) => d.ToString("R", CultureInfo.InvariantCulture),
            JsonValue v when v.TryGetValue(out string? s) => s,
            _ => value.ToJsonString(),
        };
        if (NotFinite(text))
            throw new PluginException($"{sample.NodeId}: {Escaping.TerminalText.Clean(field)} is {Escaping.TerminalText.Clean(text)}, not a finite number; nothing non-finite is written to the dataset");
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }

    private static bool NotFinite(string text) =>
        (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsFinite(d))
        || text.Trim().TrimStart('+', '-') is var bare && (bare.Equals("inf", StringComparison.OrdinalIgnoreCase) || bare.Equals("nan", StringComparison.OrdinalIgnoreCase)
            || bare.Equals("infinity", StringComparison.OrdinalIgnoreCase));
}
