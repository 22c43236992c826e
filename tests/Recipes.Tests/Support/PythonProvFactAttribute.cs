namespace Recipes.Tests.Support;

/// <summary>A test that needs Python 3 with prov: skipped, saying why, where tests/setup/python.sh could not install it.</summary>
public sealed class PythonProvFactAttribute : FactAttribute
{
    public PythonProvFactAttribute()
    {
        if (PythonNumpy.ProvSkipReason() is { } reason) Skip = reason;
    }
}
