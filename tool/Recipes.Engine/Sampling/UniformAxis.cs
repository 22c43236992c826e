using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Diagnostics;

namespace Recipes.Sampling;

/// <summary>Reals in [low, high], linear or (with <see cref="Logarithmic"/>) uniform in the logarithm.</summary>
public sealed class UniformAxis(string name, SourceLocation location, double low, double high, int? steps, bool logarithmic)
    : ParameterAxis(name, location)
{
    public double Low { get; } = low;
    public double High { get; } = high;
    public int? Steps { get; } = steps;
    public bool Logarithmic { get; } = logarithmic;

    public override int? GridCount => Steps;

    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtGridIndex(int index) =>
        One(JsonValue.Create(Map(Steps is > 1 ? (double)index / (Steps.Value - 1) : 0.0)));

    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtUnit(double u) => One(JsonValue.Create(Map(u)));

    private double Map(double t)
    {
        if (t <= 0) return Low;
        if (t >= 1) return High;
        return Logarithmic
            ? Math.Exp(Math.Log(Low) + t * (Math.Log(High) - Math.Log(Low)))
            : Low + t * (High - Low);
    }

    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Logarithmic ? "log_uniform" : "uniform")} [{Low}, {High}]{(Steps is null ? "" : $" in {Steps} steps")}");
}
