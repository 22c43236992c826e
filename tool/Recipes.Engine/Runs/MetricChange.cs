namespace Recipes.Runs;

/// <summary>A metric in A and/or B; delta and percent when both are numbers (percent when A is not zero).</summary>
public sealed record MetricChange(string Name, System.Text.Json.Nodes.JsonNode? A, System.Text.Json.Nodes.JsonNode? B, double? Delta, double? Percent);
