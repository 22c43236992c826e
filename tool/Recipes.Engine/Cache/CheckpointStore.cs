using System.Diagnostics;
using System.Globalization;
using Recipes.Plugins;

namespace Recipes.Cache;

/// <summary>
/// Training checkpoints under <c>&lt;cache&gt;/checkpoints/&lt;family&gt;/&lt;step&gt;/</c>, a family being the runs of one
/// resumable trainer that differ only in length (same other settings, same inputs). A checkpoint directory appears
/// whole by one rename or not at all, so a build killed while saving leaves the previous ones usable; the newest
/// <see cref="Kept"/> of a family are kept. Not part of any node's outputs: they only make a longer run start later.
/// </summary>
public sealed class CheckpointStore(string root)
{
    /// <summary>Checkpoints kept per family: the last runs' final ones and the latest periodic one cover "train longer".</summary>
    public const int Kept = 4;

    public string Root { get; } = root;

    private string FamilyDirectory(string family) => Path.Combine(Root, family[..2], family);

    /// <summary>The steps saved for a family, lowest first.</summary>
    public IReadOnlyList<long> Steps(string family)
    {
        var directory = FamilyDirectory(family);
        if (!Directory.Exists(directory)) return [];
        return Directory.EnumerateDirectories(directory)
            .Select(d => long.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var step) ? step : -1)
            .Where(s => s >= 0).Order().ToList();
    }

    public SavedCheckpoint? Latest(string family, long maxStep)
    {
        var step = Steps(family).LastOrDefault(s => s <= maxStep, -1);
        return step < 0 ? null : new SavedCheckpoint(step, Path.Combine(FamilyDirectory(family), Name(step)));
    }

    public void Save(string family, long step, string directory)
    {
        var familyDirectory = FamilyDirectory(family);
        Directory.CreateDirectory(familyDirectory);
        var target = Path.Combine(familyDirectory, Name(step));
        if (Directory.Exists(target))
        {
            // The same step of the same family holds the same state: what is there stands.
            CacheStore.DeleteDirectory(directory);
            return;
        }
        try
        {
            Directory.Move(directory, target);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            CacheStore.DeleteDirectory(directory);
        }
        foreach (var old in Steps(family).SkipLast(Kept)) CacheStore.DeleteDirectory(Path.Combine(familyDirectory, Name(old)));
    }

    /// <summary>A family's checkpoints as a trainer sees them, saving at most every <paramref name="interval"/> on request.</summary>
    public ITrainingCheckpoints For(string family, TimeSpan interval, Func<string> newDirectory) => new Family(this, family, interval, newDirectory);

    private static string Name(long step) => step.ToString("D12", CultureInfo.InvariantCulture);

    private sealed class Family(CheckpointStore store, string family, TimeSpan interval, Func<string> newDirectory) : ITrainingCheckpoints
    {
        private readonly Stopwatch _sinceSave = Stopwatch.StartNew();

        public SavedCheckpoint? Latest(long maxStep) => store.Latest(family, maxStep);

        public void Save(long step, string directory)
        {
            store.Save(family, step, directory);
            _sinceSave.Restart();
        }

        public string NewDirectory() => newDirectory();

        public bool Due() => _sinceSave.Elapsed >= interval;
    }
}
