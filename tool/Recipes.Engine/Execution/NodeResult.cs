using System.Text.Json.Nodes;
using Recipes.Cache;

namespace Recipes.Execution;

/// <summary>The outcome of running one node.</summary>
public sealed record NodeResult(NodeStatus Status, IReadOnlyList<OutputFile> Outputs, double Seconds, string? Error, string? LogTail, JsonObject Metrics);
