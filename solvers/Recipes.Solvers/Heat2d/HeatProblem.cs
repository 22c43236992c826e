namespace Recipes.Solvers.Heat2d;

/// <summary>
/// The masked Laplace problem on an N×N grid over [0,1]² (node spacing 1/(N−1)): nodes with <see cref="Held"/> set keep
/// their <see cref="Values"/> (boundary, hot disks, or any Dirichlet data); every other node satisfies the 5-point
/// Laplace equation. Row-major: node (i, j) is at i·N + j, i the row (y), j the column (x).
/// </summary>
public sealed class HeatProblem
{
    public HeatProblem(int size)
    {
        if (size < 3) throw new ArgumentOutOfRangeException(nameof(size), "the grid needs at least 3 nodes per side");
        Size = size;
        Held = new bool[size * size];
        Values = new double[size * size];
        for (var k = 0; k < size; k++)
        {
            Held[k] = Held[(size - 1) * size + k] = Held[k * size] = Held[k * size + size - 1] = true;
        }
    }

    public int Size { get; }
    public bool[] Held { get; }
    public double[] Values { get; }
    public double Spacing => 1.0 / (Size - 1);

    /// <summary>Holds every node within <paramref name="radius"/> of (x, y) at <paramref name="temperature"/>, as the reference does.</summary>
    public void AddDisk(double x, double y, double radius, double temperature)
    {
        var h = Spacing;
        for (var i = 1; i < Size - 1; i++)
        {
            for (var j = 1; j < Size - 1; j++)
            {
                var dx = j * h - x;
                var dy = i * h - y;
                if (dx * dx + dy * dy > radius * radius) continue;
                Held[i * Size + j] = true;
                Values[i * Size + j] = temperature;
            }
        }
    }

    /// <summary>The field the surrogate sees as input: held values where held, zero elsewhere.</summary>
    public float[] InitialField()
    {
        var field = new float[Values.Length];
        for (var k = 0; k < field.Length; k++) field[k] = Held[k] ? (float)Values[k] : 0f;
        return field;
    }
}
