using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins.Files;

namespace Recipes.Adaptive;

/// <summary>
/// <c>selection.json</c>, the output of one round: the pool indices it chose in pick order, each with its score. The
/// planner reads it back from the cache to add the round's samples to the graph.
/// </summary>
public sealed record AdaptiveSelection(int Round, string Acquisition, int TrainedOn, IReadOnlyList<AdaptiveSelector.Pick> Picks)
{
    public const string FileName = "selection.json";

    public void Write(string path)
    {
        var json = new JsonObject
        {
            ["round"] = Round,
            ["acquisition"] = Acquisition,
            ["trained_on"] = TrainedOn,
            ["selected"] = new JsonArray(Picks.Select(p => (JsonNode?)new JsonObject
            {
                ["index"] = p.Index,
                ["id"] = Sampling.Sample.IdFor(p.Index),
                ["score"] = p.Score,
            }).ToArray()),
        };
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads a selection; null when the file is not one (a damaged cache entry is then rebuilt, not trusted).</summary>
    public static AdaptiveSelection? TryRead(string path)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var picks = json["selected"]!.AsArray()
                .Select(p => new AdaptiveSelector.Pick(p!["index"]!.GetValue<int>(), p["score"]!.GetValue<double>()))
                .ToList();
            return new AdaptiveSelection(json["round"]!.GetValue<int>(), json["acquisition"]!.GetValue<string>(), json["trained_on"]!.GetValue<int>(), picks);
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or NullReferenceException or FormatException)
        {
            return null;
        }
    }
}
