namespace Recipes.Tests.Support;

/// <summary>A test that needs a real browser: skipped, saying why, where chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.SkipReason() is { } reason) Skip = reason;
    }
}
