namespace Recipes.Cache;

public sealed record VerifyReport(
    int BlobsChecked,
    IReadOnlyList<string> CorruptBlobs,
    int EntriesChecked,
    IReadOnlyList<string> UnreadableEntries,
    IReadOnlyList<string> IncompleteEntries,
    int TempLeftovers,
    bool Repaired)
{
    public bool Clean => CorruptBlobs.Count == 0 && UnreadableEntries.Count == 0 && IncompleteEntries.Count == 0;
}
