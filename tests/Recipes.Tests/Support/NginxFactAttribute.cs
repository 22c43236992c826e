namespace Recipes.Tests.Support;

/// <summary>A test that needs nginx: skipped, saying why, where it is not installed.</summary>
public sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute()
    {
        if (NginxServer.SkipReason() is { } reason) Skip = reason;
    }
}
