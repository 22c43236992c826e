using System.Text.Json.Nodes;

namespace Recipes.Cache;

/// <summary>
/// A node's metrics as a JSON object. A cache hit brings them as the text of its entry and a run as an object; each form
/// is made from the other at most once, when first asked for, so a no-op build of many nodes parses nothing it does not show.
/// </summary>
public sealed class NodeMetrics
{
    private string? _json;
    private JsonObject? _object;

    private NodeMetrics(string? json, JsonObject? value)
    {
        _json = json;
        _object = value;
    }

    public static NodeMetrics Empty { get; } = new("{}", null);

    /// <summary>Metrics recorded as compact JSON (a cache entry, the build snapshot); anything but an object reads as empty.</summary>
    public static NodeMetrics FromJson(string? json) => json is null or "{}" ? Empty : new NodeMetrics(json, null);

    public static NodeMetrics FromObject(JsonObject value) => value.Count == 0 ? Empty : new NodeMetrics(null, value);

    public bool IsEmpty => ReferenceEquals(this, Empty) || (_object is { Count: 0 }) || _json is "{}";

    /// <summary>Compact JSON, as stored.</summary>
    public string Json => _json ??= _object!.ToJsonString();

    /// <summary>A copy of the metrics to read or embed (a manifest, a report).</summary>
    public JsonObject ToObject()
    {
        if (_object is null)
        {
            try
            {
                _object = JsonNode.Parse(_json!) as JsonObject ?? [];
            }
            catch (System.Text.Json.JsonException)
            {
                _object = [];
            }
        }
        return (JsonObject)_object.DeepClone();
    }

    public override string ToString() => Json;
}
