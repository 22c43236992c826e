namespace Recipes.Tests.Support;

/// <summary>The Slurm tests share one cluster and run one after another: each asserts on the whole queue.</summary>
[CollectionDefinition(Name)]
public sealed class SlurmCollection : ICollectionFixture<SlurmCluster>
{
    public const string Name = "slurm";
}
