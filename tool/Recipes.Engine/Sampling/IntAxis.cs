using System.Text.Json.Nodes;
using Recipes.Diagnostics;

namespace Recipes.Sampling;

/// <summary>Integers from <see cref="Low"/> to <see cref="High"/>, both included.</summary>
public sealed class IntAxis(string name, SourceLocation location, long low, long high) : ParameterAxis(name, location)
{
    public long Low { get; } = low;
    public long High { get; } = high;
    private int Count => checked((int)(High - Low + 1));
    public override int? GridCount => Count;
    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtGridIndex(int index) => One(JsonValue.Create(Low + index));
    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtUnit(double u) => One(JsonValue.Create(Low + Bucket(u, Count)));
    public override string Describe() => $"int [{Low}, {High}]";
}
