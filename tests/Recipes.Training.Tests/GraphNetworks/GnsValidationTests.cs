using Recipes.Plugins;
using Recipes.Training.GraphNetworks;

namespace Recipes.Training.Tests.GraphNetworks;

/// <summary>The trainer's validation needs a valid split, and says so in one line when there is none.</summary>
public sealed class GnsValidationTests
{
    [Fact]
    public void ValidationWithoutAValidSplitIsOneClearError()
    {
        var metadata = new GnsMetadata(2, 0.01, 0.05, [0, 0], [1, 1], [0, 0], [1, 1], [0, 0], [1, 1]);
        var dataset = new UpstreamArtifacts("dataset/shard-0000", StageNames.Dataset, null, null, ValueMap.Empty, []);
        var error = Assert.Throws<PluginException>(() => new GnsValidation(dataset, metadata, 2));
        Assert.Contains("validate_every needs a valid split", error.Message);
        Assert.Contains("set validate_every: 0", error.Message);
    }
}
