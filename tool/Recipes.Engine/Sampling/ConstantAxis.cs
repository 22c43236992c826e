using System.Text.Json.Nodes;
using Recipes.Diagnostics;

namespace Recipes.Sampling;

public sealed class ConstantAxis(string name, SourceLocation location, JsonNode? value) : ParameterAxis(name, location)
{
    public JsonNode? Value { get; } = value;
    public override int? GridCount => 1;
    public override bool IsConstant => true;
    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtGridIndex(int index) => One(Value?.DeepClone());
    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtUnit(double u) => One(Value?.DeepClone());
    public override string Describe() => Value?.ToJsonString() ?? "null";
}
