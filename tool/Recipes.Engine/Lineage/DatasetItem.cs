using System.Globalization;
using System.IO.Compression;
using Recipes.Plugins.Files;

namespace Recipes.Lineage;

/// <summary>
/// One item of a dataset file, as <c>recipes why FILE#ITEM</c> names it: a row of a CSV shard (counted from 0 after the
/// header, as pandas numbers them), or a trajectory of a Learning-to-Simulate <c>.npz</c> (its position from 0 in the
/// file, the order <c>numpy.load(...).items()</c> gives, or its id). Read from the cache's verified copy of the file,
/// not from out/, so a hand edit there cannot change the answer.
/// </summary>
public static class DatasetItem
{
    /// <summary>A CSV shard read for its first column; larger ones are refused rather than read whole.</summary>
    public const long MaxCsvBytes = 1L << 30;

    /// <summary>Members listed at most; a Learning-to-Simulate file holds one per trajectory.</summary>
    private const int MaxMembers = 1 << 20;

    /// <summary>The sample id the item belongs to, and how the item reads ("row 5", "trajectory 3 (trajectory_000003)").</summary>
    /// <param name="blobPath">The file's bytes as the cache holds them.</param>
    /// <param name="display">The file as the user named it, for messages.</param>
    public static (string SampleId, string Description) Resolve(string blobPath, string display, string item)
    {
        var extension = Path.GetExtension(display).ToLowerInvariant();
        return extension switch
        {
            ".csv" => CsvRow(blobPath, display, item),
            ".npz" => Trajectory(blobPath, display, item),
            _ => throw new LineageException($"{display}#{item}: items are rows of .csv shards and trajectories of .npz files; name a {extension} file without '#'"),
        };
    }

    private static (string, string) CsvRow(string blobPath, string display, string item)
    {
        if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var row))
            throw new LineageException($"{display}#{item}: a CSV item is a row number (0 is the first row after the header)");
        var lines = RegularFile.ReadAllText(blobPath, MaxCsvBytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var rows = Math.Max(0, lines.Length - 1);
        if (row >= rows) throw new LineageException($"{display}#{item}: there is no row {row}; the file holds {rows} row{(rows == 1 ? "" : "s")} (0 to {rows - 1})");
        var line = lines[row + 1].TrimEnd('\r');
        // The dataset stage writes the sample id first, and ids hold no comma or quote.
        var comma = line.IndexOf(',', StringComparison.Ordinal);
        return (comma < 0 ? line : line[..comma], $"row {row}");
    }

    private static (string, string) Trajectory(string blobPath, string display, string item)
    {
        const string prefix = "trajectory_";
        var members = new List<string>();
        using (var file = RegularFile.OpenRead(blobPath, Plugins.Formats.NpyFile.MaxFileBytes))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Read))
            foreach (var entry in zip.Entries)
            {
                if (members.Count == MaxMembers) throw new LineageException($"{display}: more than {MaxMembers} members");
                members.Add(Path.GetFileNameWithoutExtension(entry.FullName));
            }
        var trajectories = members.Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (trajectories.Count == 0)
            throw new LineageException($"{display}#{item}: the file holds no trajectory_* members (items of .npz files are Learning-to-Simulate trajectories)");
        var named = trajectories.IndexOf(item.StartsWith(prefix, StringComparison.Ordinal) ? item : prefix + item);
        if (named < 0 && int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            if (position >= trajectories.Count)
                throw new LineageException($"{display}#{item}: there is no trajectory {position}; the file holds {trajectories.Count} trajector{(trajectories.Count == 1 ? "y" : "ies")} (0 to {trajectories.Count - 1})");
            named = position;
        }
        if (named < 0) throw new LineageException($"{display}#{item}: no trajectory of that position or id; the file holds {trajectories.Count} (0 to {trajectories.Count - 1})");
        var id = trajectories[named][prefix.Length..];
        return (id, $"trajectory {named.ToString(CultureInfo.InvariantCulture)} ({trajectories[named]})");
    }
}
