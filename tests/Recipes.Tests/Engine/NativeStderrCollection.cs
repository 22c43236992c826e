namespace Recipes.Tests.Engine;

/// <summary>Tests that point the process's fd 2 elsewhere run alone: every other test's stderr would go there too.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeStderrCollection
{
    public const string Name = "native stderr";
}
