namespace Recipes.Tests.Support;

/// <summary>A test that fills a small tmpfs: skipped, saying why, where the tests do not run as root.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (SmallDisk.SkipReason() is { } reason) Skip = reason;
    }
}
