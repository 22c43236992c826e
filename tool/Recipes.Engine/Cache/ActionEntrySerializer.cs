using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recipes.Cache;

/// <summary>JSON form of <see cref="ActionEntry"/>, read with the low-allocation reader because no-op builds read one per node.</summary>
public static class ActionEntrySerializer
{
    public static byte[] Serialize(ActionEntry entry)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("key", entry.Key);
            w.WriteString("node", entry.Node);
            w.WriteString("stage", entry.Stage);
            w.WriteString("plugin", entry.Plugin);
            w.WriteNumber("version", entry.Version);
            w.WriteString("spec", entry.Spec);
            w.WriteStartArray("inputs");
            foreach (var (name, hash) in entry.Inputs)
            {
                w.WriteStartArray();
                w.WriteStringValue(name);
                w.WriteStringValue(hash);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteStartArray("outputs");
            foreach (var o in entry.Outputs)
            {
                w.WriteStartObject();
                w.WriteString("name", o.Name);
                w.WriteString("hash", o.Hash);
                w.WriteNumber("size", o.Size);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (entry.Log is not null) w.WriteString("log", entry.Log);
            w.WritePropertyName("metrics");
            entry.Metrics.WriteTo(w);
            w.WriteNumber("seconds", Math.Round(entry.Seconds, 4));
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Outputs and raw metrics only: all a cache hit needs, read without building a document.</summary>
    public static CachedResult? ReadOutputs(ReadOnlySpan<byte> json, string expectedKey) => ReadOutputs(json, expectedKey, out _);

    /// <summary>
    /// As <see cref="ReadOutputs(ReadOnlySpan{byte}, string)"/>; an entry whose outputs break <see cref="OutputPaths"/>
    /// reads as a miss, with <paramref name="problem"/> saying why.
    /// </summary>
    public static CachedResult? ReadOutputs(ReadOnlySpan<byte> json, string expectedKey, out string? problem)
    {
        problem = null;
        try
        {
            return ReadOutputsUnchecked(json, expectedKey, out problem);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // A field of the wrong type (a number where a name belongs, a size of 1e20): unreadable, so a miss, with the
            // reason for whoever warns. A try costs nothing on the no-op path, where nothing throws.
            problem = "a field of the wrong type or out of range";
            return null;
        }
    }

    private static CachedResult? ReadOutputsUnchecked(ReadOnlySpan<byte> json, string expectedKey, out string? problem)
    {
        problem = null;
        var reader = new Utf8JsonReader(json);
        var outputs = new List<OutputFile>();
        var metrics = "{}";
        string? key = null;
        var sawOutputs = false;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("key"u8))
            {
                reader.Read();
                key = reader.GetString();
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                sawOutputs = true;
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    string? name = null, hash = null;
                    long size = 0;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("name"u8)) { reader.Read(); name = reader.GetString(); }
                        else if (reader.ValueTextEquals("hash"u8)) { reader.Read(); hash = reader.GetString(); }
                        else if (reader.ValueTextEquals("size"u8)) { reader.Read(); size = reader.GetInt64(); if (size < 0) throw new FormatException("negative size"); }
                        else { reader.Read(); reader.Skip(); }
                    }
                    if (name is null || hash is null) return null;
                    outputs.Add(new OutputFile(name, hash, size));
                }
            }
            else if (reader.ValueTextEquals("metrics"u8))
            {
                reader.Read();
                var from = (int)reader.TokenStartIndex;
                reader.Skip();
                metrics = Encoding.UTF8.GetString(json[from..(int)reader.BytesConsumed]);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (key != expectedKey || !sawOutputs) return null;
        problem = OutputPaths.Problem(outputs);
        return problem is null ? new CachedResult(outputs, NodeMetrics.FromJson(metrics)) : null;
    }

    /// <summary>The whole entry, or null when it is unreadable or its outputs break <see cref="OutputPaths"/> (then <c>problem</c> says how).</summary>
    public static ActionEntry? Deserialize(ReadOnlySpan<byte> json) => Deserialize(json, out _);

    public static ActionEntry? Deserialize(ReadOnlySpan<byte> json, out string? problem)
    {
        problem = null;
        try
        {
            var node = JsonNode.Parse(Encoding.UTF8.GetString(json))!.AsObject();
            var entry = new ActionEntry
            {
                Key = node["key"]!.GetValue<string>(),
                Node = node["node"]!.GetValue<string>(),
                Stage = node["stage"]!.GetValue<string>(),
                Plugin = node["plugin"]!.GetValue<string>(),
                Version = node["version"]!.GetValue<int>(),
                Spec = node["spec"]!.GetValue<string>(),
                Inputs = node["inputs"]!.AsArray().Select(a => new KeyValuePair<string, string>(a![0]!.GetValue<string>(), a[1]!.GetValue<string>())).ToList(),
                Outputs = node["outputs"]!.AsArray().Select(o => new OutputFile(o!["name"]!.GetValue<string>(), o["hash"]!.GetValue<string>(),
                    o["size"]!.GetValue<long>() is >= 0 and var size ? size : throw new FormatException("negative size"))).ToList(),
                Log = node["log"]?.GetValue<string>(),
                Metrics = node["metrics"]?.AsObject() is { } m ? (JsonObject)m.DeepClone() : [],
                // 1e999 reads as infinity, which an export or upload could not write again (found by the fuzz suite): unreadable.
                Seconds = node["seconds"]?.GetValue<double>() is { } seconds ? double.IsFinite(seconds) ? seconds : throw new FormatException("non-finite seconds") : 0,
            };
            problem = OutputPaths.Problem(entry.Outputs, entry.Log);
            return problem is null ? entry : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or ArgumentException or OverflowException)
        {
            // Unreadable is a plain miss, as it always was; only a path-policy violation is a problem worth a warning.
            return null;
        }
    }
}
