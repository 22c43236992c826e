namespace Recipes.Tests.Support;

/// <summary>A test that needs Python 3 with torch: skipped, saying why, where none is installed.</summary>
public sealed class PythonTorchFactAttribute : FactAttribute
{
    public PythonTorchFactAttribute()
    {
        if (PythonNumpy.TorchSkipReason() is { } reason) Skip = reason;
    }
}
