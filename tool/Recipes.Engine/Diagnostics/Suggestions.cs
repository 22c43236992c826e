namespace Recipes.Diagnostics;

/// <summary>"Did you mean" for unknown names: the closest known name within a small edit distance.</summary>
public static class Suggestions
{
    public static string? Closest(string unknown, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = Distance(unknown.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }
        var limit = Math.Max(2, unknown.Length / 3);
        return bestDistance <= limit ? best : null;
    }

    public static string DidYouMean(string unknown, IEnumerable<string> known)
    {
        var list = known.ToList();
        var closest = Closest(unknown, list);
        return closest is not null
            ? $"; did you mean '{closest}'?"
            : list.Count > 0 ? $"; expected one of: {string.Join(", ", list.Order(StringComparer.Ordinal))}" : "";
    }

    private static int Distance(string a, string b)
    {
        // Optimal string alignment distance, so a swapped pair of letters ("smaples") counts as one edit.
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
