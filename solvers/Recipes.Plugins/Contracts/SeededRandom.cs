namespace Recipes.Plugins;

/// <summary>
/// SplitMix64: a tiny, fixed random generator for plugins. Unlike <see cref="Random"/> its sequence is specified
/// here, so a node's seed gives the same draws on every runtime and machine.
/// </summary>
public sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The generator's whole state: set it to one read earlier and the same numbers follow (a resumed training).</summary>
    public ulong State
    {
        get => _state;
        set => _state = value;
    }

    public ulong NextBits()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextBits() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [low, high], both included.</summary>
    public int Int(int low, int high) => low + (int)(NextBits() % (ulong)(high - low + 1));
}
