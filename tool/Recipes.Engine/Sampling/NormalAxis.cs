using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Diagnostics;

namespace Recipes.Sampling;

public sealed class NormalAxis(string name, SourceLocation location, double mean, double deviation) : ParameterAxis(name, location)
{
    public double Mean { get; } = mean;
    public double Deviation { get; } = deviation;

    public override int? GridCount => null;

    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtGridIndex(int index) =>
        throw new InvalidOperationException("a normal parameter has no grid");

    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtUnit(double u) =>
        One(JsonValue.Create(Mean + Deviation * NormalQuantile.Of(u)));

    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"normal(mean {Mean}, sd {Deviation})");
}
