using System.Text;

namespace Recipes.Stages.Datasets;

/// <summary>
/// Assigns each sample, not each augmented copy, to a split by a hash of its id and a salt: the same sample always lands
/// in the same split whatever shard it is in and however many samples there are, and its copies never straddle splits.
/// </summary>
public static class SplitAssignment
{
    public static string Assign(string sampleId, IReadOnlyList<(string Name, double Fraction)> splits, long salt)
    {
        var u = Unit(sampleId, salt);
        var total = splits.Sum(s => s.Fraction);
        var cumulative = 0.0;
        foreach (var (name, fraction) in splits)
        {
            cumulative += fraction / total;
            if (u < cumulative) return name;
        }
        return splits[^1].Name;
    }

    private static double Unit(string id, long salt)
    {
        // FNV-1a over the id, then SplitMix64 to spread the bits.
        var hash = 14695981039346656037UL ^ (ulong)salt;
        foreach (var b in Encoding.UTF8.GetBytes(id))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return new Plugins.SeededRandom(hash).NextDouble();
    }
}
