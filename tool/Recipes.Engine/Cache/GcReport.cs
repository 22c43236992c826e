namespace Recipes.Cache;

public sealed record GcReport(int EntriesKept, int EntriesDeleted, int BlobsKept, int BlobsDeleted, long BytesKept, long BytesFreed);
