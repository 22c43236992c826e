namespace Recipes.Tests.Support;

/// <summary>A test that needs OpenFOAM: skipped, saying why, where Debian's openfoam packages are not installed.</summary>
public sealed class OpenFoamFactAttribute : FactAttribute
{
    public const string Tutorial = "/usr/share/doc/openfoam-examples/examples/multiphase/interFoam/laminar/damBreak/damBreak";

    public OpenFoamFactAttribute()
    {
        if (!File.Exists("/usr/bin/interFoam") || !Directory.Exists(Tutorial))
            Skip = "OpenFOAM is not installed (tests/setup/openfoam.sh installs Debian's openfoam and openfoam-examples with apt)";
    }
}
