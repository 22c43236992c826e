using System.Text.Json.Nodes;

namespace Recipes.Cache;

/// <summary>
/// What the action cache records for a key: the node's outputs, plus the spec and input hashes that made the key, so
/// <c>status</c> can later say exactly what changed.
/// </summary>
public sealed record ActionEntry
{
    public required string Key { get; init; }
    public required string Node { get; init; }
    public required string Stage { get; init; }
    public required string Plugin { get; init; }
    public required int Version { get; init; }
    public required string Spec { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> Inputs { get; init; }
    public required IReadOnlyList<OutputFile> Outputs { get; init; }
    public string? Log { get; init; }
    public JsonObject Metrics { get; init; } = [];
    public double Seconds { get; init; }
}
