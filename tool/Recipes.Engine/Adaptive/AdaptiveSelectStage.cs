using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Adaptive;

/// <summary>
/// The node of one adaptive round (<c>select/round-NN</c>): reads the target number from each simulated sample's result
/// file, fits the surrogate ensemble, scores the pool's unsimulated points and writes <c>selection.json</c>. The planner
/// makes these nodes from <c>parameters.adaptive</c>; a recipe never names this implementation.
/// </summary>
public sealed class AdaptiveSelectStage : StagePlugin
{
    public const string PluginName = "adaptive-select";

    public override string Name => PluginName;
    public override string Stage => StageNames.Select;
    public override int Version => 1;
    public override string Summary => "One round of the adaptive sampler: fit a surrogate ensemble to the results so far and pick the next samples from the pool.";
    public override bool UsesSeed => true;

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var settings = AdaptiveSettings.FromNode(context.Settings);
        var round = context.Settings.GetInt("round");
        var known = UnitPoints(context.Settings, "points");
        var pool = UnitPoints(context.Settings, "candidates");
        var points = new List<double[]>();
        var targets = new List<double>();
        foreach (var upstream in context.Upstream)
        {
            var index = upstream.SampleIndex ?? throw new PluginException($"{upstream.NodeId} is not a sample's node");
            var file = upstream.Find(settings.Result)
                ?? throw new PluginException($"{upstream.NodeId} has no output '{settings.Result}' to read '{settings.Target}' from (it has: {string.Join(", ", upstream.Files.Select(f => f.Name))}); set parameters.adaptive.result");
            points.Add(known.TryGetValue(index, out var point) ? point : throw new PluginException($"sample {upstream.SampleId} has no unit point"));
            targets.Add(ReadTarget(file, settings.Target, upstream.NodeId));
        }
        if (points.Count == 0) throw new PluginException("no simulated samples to learn from");
        var candidates = pool.Select(p => new AdaptiveSelector.Candidate(p.Key, p.Value)).ToList();
        var outcome = AdaptiveSelector.Select(settings, points, targets, candidates, context.Seed);
        new AdaptiveSelection(round, Acquisitions.Name(settings.Acquisition), points.Count, outcome.Picks).Write(context.OutputPath(AdaptiveSelection.FileName));
        context.Metrics["trained_on"] = points.Count;
        context.Metrics["candidates"] = candidates.Count;
        context.Metrics["selected"] = outcome.Picks.Count;
        context.Metrics["score_max"] = outcome.Picks.Count == 0 ? 0 : outcome.Picks[0].Score;
        context.Metrics["ensemble_variance_mean"] = outcome.MeanVariance;
        context.Metrics["ensemble_variance_max"] = outcome.MaxVariance;
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round}: {Acquisitions.Name(settings.Acquisition)} over {candidates.Count} candidates after {points.Count} results; picked {string.Join(", ", outcome.Picks.Select(p => p.Index))}"));
        return Task.CompletedTask;
    }

    /// <summary>Reads <c>[[index, u1, u2, ...], ...]</c> (what the planner writes into the node's settings).</summary>
    private static SortedDictionary<int, double[]> UnitPoints(ValueMap settings, string key)
    {
        var result = new SortedDictionary<int, double[]>();
        if (settings[key] is not JsonArray rows) throw new PluginException($"the round's '{key}' is missing");
        foreach (var row in rows.OfType<JsonArray>())
            result[row[0]!.GetValue<int>()] = row.Skip(1).Select(v => v!.GetValue<double>()).ToArray();
        return result;
    }

    private static double ReadTarget(Artifact file, string target, string nodeId)
    {
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(file.Path));
        }
        catch (JsonException e)
        {
            throw new PluginException($"{nodeId}: {file.Name} is not JSON ({e.Message})");
        }
        var value = json is JsonObject obj ? obj[target] : null;
        if (value is JsonValue v && v.TryGetValue(out double number) && double.IsFinite(number)) return number;
        throw new PluginException($"{nodeId}: {file.Name} has no finite number '{target}'; set parameters.adaptive.target to one of its fields");
    }
}
