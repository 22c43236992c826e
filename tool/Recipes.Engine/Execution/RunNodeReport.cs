using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recipes.Execution;

/// <summary>
/// What <c>recipes run-node</c> prints and writes for the process that started it (a Slurm controller, <c>bench</c>):
/// one outcome per node. Both sides read and write it through this one record, so a renamed field cannot go unnoticed.
/// </summary>
/// <param name="StartupSeconds">From the process's start to its first node (runtime start, recipe load, planning).</param>
public sealed record RunNodeReport(IReadOnlyList<RunNodeOutcome> Nodes, double? StartupSeconds = null)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter<NodeStatus>(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="JsonException">The text is not a report.</exception>
    public static RunNodeReport Parse(string json) =>
        JsonSerializer.Deserialize<RunNodeReport>(json, Json) is { Nodes: not null } report ? report : throw new JsonException("not a run-node report");

    public RunNodeOutcome? Find(string node) => Nodes.FirstOrDefault(n => n.Node == node);
}
