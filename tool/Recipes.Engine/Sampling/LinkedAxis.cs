using System.Text.Json.Nodes;
using Recipes.Diagnostics;

namespace Recipes.Sampling;

/// <summary>Parameters that move together: row i of every column is one point of this axis.</summary>
public sealed class LinkedAxis : ParameterAxis
{
    public LinkedAxis(string name, SourceLocation location, IReadOnlyList<(string Name, IReadOnlyList<JsonNode?> Values)> columns)
        : base(name, location)
    {
        Columns = columns;
    }

    public IReadOnlyList<(string Name, IReadOnlyList<JsonNode?> Values)> Columns { get; }
    public override IReadOnlyList<string> Names => Columns.Select(c => c.Name).ToList();
    private int Rows => Columns[0].Values.Count;
    public override int? GridCount => Rows;

    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtGridIndex(int index) =>
        Columns.Select(c => new KeyValuePair<string, JsonNode?>(c.Name, c.Values[index]?.DeepClone()));

    public override IEnumerable<KeyValuePair<string, JsonNode?>> AtUnit(double u) => AtGridIndex(Bucket(u, Rows));

    public override string Describe() => $"linked ({string.Join(", ", Columns.Select(c => c.Name))}) x{Rows}";
}
