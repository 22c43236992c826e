using System.Text.Json.Nodes;
using Recipes.Diagnostics;

namespace Recipes.Sampling;

public sealed class ChoiceAxis(string name, SourceLocation location, IReadOnlyList<JsonNode?> values) : ParameterAxis(name, location)
{
    public IReadOnlyList<JsonNode?> Values { get; } = values;
    public override int? GridCount => Values.Count;
    public override bool IsConstant => Values.Count == 1;
    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtGridIndex(int index) => One(Values[index]?.DeepClone());
    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtUnit(double u) => One(Values[Bucket(u, Values.Count)]?.DeepClone());
    public override string Describe() => $"choice [{string.Join(", ", Values.Select(v => v?.ToJsonString() ?? "null"))}]";
}
