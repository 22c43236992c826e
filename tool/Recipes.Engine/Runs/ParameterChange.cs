using System.Text.Json.Nodes;

namespace Recipes.Runs;

/// <summary>A resolved parameter whose value differs between A and B (null where the path is absent).</summary>
public sealed record ParameterChange(string Path, JsonNode? A, JsonNode? B, bool InA, bool InB);
