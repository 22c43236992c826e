using System.Text.Json.Nodes;
using Recipes.Diagnostics;

namespace Recipes.Sampling;

/// <summary>
/// One dimension of the parameter space. Samplers map a unit number u in [0,1) (random, Sobol, Latin hypercube) or a
/// grid index to the axis's values; a linked axis yields several named values at once.
/// </summary>
public abstract class ParameterAxis
{
    protected ParameterAxis(string name, SourceLocation location)
    {
        Name = name;
        Location = location;
    }

    public string Name { get; }
    public SourceLocation Location { get; }

    /// <summary>The parameter names this axis sets (one, or several for a linked group).</summary>
    public virtual IReadOnlyList<string> Names => [Name];

    /// <summary>Points along this axis for the grid sampler, or null when it needs <c>steps</c> or cannot be gridded.</summary>
    public abstract int? GridCount { get; }

    /// <summary>Whether the axis varies at all; constant axes take no random draw.</summary>
    public virtual bool IsConstant => false;

    public abstract IEnumerable<KeyValuePair<string, JsonNode?>> AtGridIndex(int index);

    public abstract IEnumerable<KeyValuePair<string, JsonNode?>> AtUnit(double u);

    /// <summary>A short text for status and graph output.</summary>
    public abstract string Describe();

    protected IEnumerable<KeyValuePair<string, JsonNode?>> One(JsonNode? value) => [new(Name, value)];

    protected static int Bucket(double u, int count) => Math.Min(count - 1, (int)Math.Floor(u * count));
}
