namespace Recipes.Sampling;

/// <summary>
/// The Sobol low-discrepancy sequence with the Joe-Kuo (2008) direction numbers, randomized by a digital shift (XOR
/// with a seed-derived word per dimension), which keeps every net property and prefix stability: point i depends on i only.
/// </summary>
public sealed class SobolSequence
{
    private const int Bits = 32;

    // (degree s, coefficients a, initial m_1..m_s) for dimensions 2..21, from new-joe-kuo-6.21201.
    private static readonly (int S, int A, int[] M)[] Polynomials =
    [
        (1, 0, [1]), (2, 1, [1, 3]), (3, 1, [1, 3, 1]), (3, 2, [1, 1, 1]), (4, 1, [1, 1, 3, 3]),
        (4, 4, [1, 3, 5, 13]), (5, 2, [1, 1, 5, 5, 17]), (5, 4, [1, 1, 5, 5, 5]), (5, 7, [1, 1, 7, 11, 19]),
        (5, 11, [1, 1, 5, 1, 1]), (5, 13, [1, 1, 1, 3, 11]), (5, 14, [1, 3, 5, 5, 31]), (6, 1, [1, 3, 3, 9, 7, 49]),
        (6, 13, [1, 1, 1, 15, 21, 21]), (6, 16, [1, 3, 1, 13, 27, 49]), (6, 19, [1, 1, 1, 15, 7, 5]),
        (6, 22, [1, 3, 1, 15, 13, 25]), (6, 25, [1, 1, 5, 5, 19, 61]), (7, 1, [1, 3, 7, 11, 23, 15, 103]),
        (7, 4, [1, 3, 7, 13, 13, 15, 69]),
    ];

    public const int MaxDimensions = 21;

    private readonly uint[][] _directions;
    private readonly uint[] _shift;

    public SobolSequence(int dimensions, long seed)
    {
        if (dimensions > MaxDimensions)
            throw new ArgumentOutOfRangeException(nameof(dimensions), $"Sobol supports at most {MaxDimensions} dimensions");
        _directions = new uint[dimensions][];
        _shift = new uint[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            _directions[d] = Directions(d);
            _shift[d] = (uint)UnitRandom.Bits(seed, d, "sobol-shift");
        }
    }

    private static uint[] Directions(int dimension)
    {
        var v = new uint[Bits + 1];
        if (dimension == 0)
        {
            for (var k = 1; k <= Bits; k++) v[k] = 1u << (Bits - k);
            return v;
        }
        var (s, a, m) = Polynomials[dimension - 1];
        for (var k = 1; k <= Math.Min(s, Bits); k++) v[k] = (uint)m[k - 1] << (Bits - k);
        for (var k = s + 1; k <= Bits; k++)
        {
            var value = v[k - s] ^ (v[k - s] >> s);
            for (var j = 1; j < s; j++)
                if (((a >> (s - 1 - j)) & 1) != 0) value ^= v[k - j];
            v[k] = value;
        }
        return v;
    }

    /// <summary>Coordinate <paramref name="dimension"/> of point <paramref name="index"/>, in [0,1).</summary>
    public double At(long index, int dimension)
    {
        if (index >= 1L << Bits) throw new ArgumentOutOfRangeException(nameof(index), "Sobol index beyond 2^32");
        uint x = 0;
        var directions = _directions[dimension];
        var i = (ulong)index;
        for (var bit = 1; i != 0; bit++, i >>= 1)
            if ((i & 1) != 0) x ^= directions[bit];
        x ^= _shift[dimension];
        return (x + 0.5) / 4294967296.0;
    }
}
