using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins.Files;

namespace Recipes.Plugins;

/// <summary>
/// The random values that define a sample, written beside its outputs as <c>draws.json</c>:
/// <c>{"seed": node seed, "draws": {...}}</c>. With them and the sample's parameters a program that knows nothing of
/// <see cref="SeededRandom"/> can rebuild the sample (DESIGN: "random draws that define a sample are written beside
/// it"). A solver that draws nothing writes no such file. The dataset stages copy <c>draws</c> into their manifests.
/// </summary>
public static class SampleDraws
{
    public const string FileName = "draws.json";

    /// <summary>The key of the draws in the file and in the dataset manifests.</summary>
    public const string Key = "draws";

    /// <summary>A draws file is a few kilobytes (a smoke source of a large grid: tens); anything past this is not one.</summary>
    public const long MaxBytes = 4L << 20;

    /// <summary>
    /// Writes <paramref name="draws"/> with the node's seed. Every number must be finite: JSON has no NaN, and a
    /// non-finite draw is a solver bug that should fail the node rather than reach a file. <paramref name="indented"/>
    /// false for records of thousands of numbers, where one number a line would double the file.
    /// </summary>
    public static void Write(PluginContext context, JsonObject draws, bool indented = true)
    {
        if (FirstNonFinite(draws, Key) is { } where) throw new PluginException($"{where} is not a finite number; no draws file written");
        var document = new JsonObject { ["seed"] = context.Seed, [Key] = draws.DeepClone() };
        // Doubles are written in their shortest round-trip form, so the file gives back the exact bits drawn.
        var text = document.ToJsonString(new JsonSerializerOptions { WriteIndented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        AtomicFile.WriteAllText(context.OutputPath(FileName), text);
    }

    /// <summary>The path of the first number in <paramref name="node"/> that is NaN or infinite, else null.</summary>
    public static string? FirstNonFinite(JsonNode? node, string at) => node switch
    {
        JsonObject o => o.Select(p => FirstNonFinite(p.Value, $"{at}.{p.Key}")).FirstOrDefault(w => w is not null),
        JsonArray a => a.Select((v, i) => FirstNonFinite(v, $"{at}[{i}]")).FirstOrDefault(w => w is not null),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => IsFinite(v) ? null : at,
        _ => null,
    };

    // A number parsed from text that no double holds (1e400) reads as no double and no integer: not finite either.
    private static bool IsFinite(JsonValue v) =>
        v.TryGetValue(out double d) ? double.IsFinite(d)
        : v.TryGetValue(out float f) ? float.IsFinite(f)
        : v.TryGetValue(out long _) || v.TryGetValue(out ulong _) || v.TryGetValue(out int _) || v.TryGetValue(out decimal _);
}
