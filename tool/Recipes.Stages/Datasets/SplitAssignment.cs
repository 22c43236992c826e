using System.Text;
using Recipes.Plugins;

namespace Recipes.Stages.Datasets;

/// <summary>
/// Assigns each sample, not each augmented copy, to a split by a hash of its id and a salt: the same sample always lands
/// in the same split whatever shard it is in and however many samples there are, and its copies never straddle splits.
/// </summary>
public static class SplitAssignment
{
    public static string Assign(string sampleId, IReadOnlyList<(string Name, double Fraction)> splits, long salt) =>
        Interval(Unit(sampleId, salt), splits);

    /// <summary>
    /// Assigns a whole dataset, seen at once, so that no requested split (fraction &gt; 0) is empty. Each id goes where
    /// <see cref="Assign"/> puts it; then, for each split left empty in the order given, the id whose hash lies nearest
    /// that split's interval (ties: the smaller id, ordinally) moves there from the largest split (ties: the earlier
    /// split). Ids keep their hash split unless a split would be empty, so adding samples moves only those few ids.
    /// With fewer ids than requested splits this fails, naming both counts.
    /// </summary>
    /// <param name="one">What an id is, for the message ("trajectory", "sample").</param>
    /// <param name="many">The plural ("trajectories", "samples").</param>
    public static Dictionary<string, string> AssignAll(IReadOnlyCollection<string> ids, IReadOnlyList<(string Name, double Fraction)> splits, long salt, string one, string many)
    {
        var requested = splits.Where(s => s.Fraction > 0).Select(s => s.Name).ToList();
        if (ids.Count < requested.Count)
            throw new PluginException($"{requested.Count} splits requested but only {ids.Count} {(ids.Count == 1 ? one : many)}; add samples or drop a split");
        var units = ids.ToDictionary(id => id, id => Unit(id, salt), StringComparer.Ordinal);
        var result = units.ToDictionary(u => u.Key, u => Interval(u.Value, splits), StringComparer.Ordinal);
        foreach (var empty in requested)
        {
            if (result.ContainsValue(empty)) continue;
            var (low, high) = Bounds(empty, splits);
            var sizes = result.Values.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
            var donor = requested.Where(sizes.ContainsKey).MaxBy(s => sizes[s])!; // the first of the largest, in split order
            var moved = result.Where(r => r.Value == donor)
                .Select(r => (Id: r.Key, Distance: units[r.Key] < low ? low - units[r.Key] : units[r.Key] >= high ? units[r.Key] - high : 0))
                .OrderBy(c => c.Distance).ThenBy(c => c.Id, StringComparer.Ordinal).First();
            result[moved.Id] = empty;
        }
        return result;
    }

    private static string Interval(double u, IReadOnlyList<(string Name, double Fraction)> splits)
    {
        var total = splits.Sum(s => s.Fraction);
        var cumulative = 0.0;
        foreach (var (name, fraction) in splits)
        {
            cumulative += fraction / total;
            if (u < cumulative) return name;
        }
        return splits[^1].Name;
    }

    /// <summary>The part of [0, 1) whose hashes <see cref="Assign"/> sends to <paramref name="split"/>.</summary>
    private static (double Low, double High) Bounds(string split, IReadOnlyList<(string Name, double Fraction)> splits)
    {
        var total = splits.Sum(s => s.Fraction);
        var cumulative = 0.0;
        foreach (var (name, fraction) in splits)
        {
            var next = cumulative + fraction / total;
            if (name == split) return (cumulative, next);
            cumulative = next;
        }
        throw new ArgumentException($"no split named {split}", nameof(split));
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
