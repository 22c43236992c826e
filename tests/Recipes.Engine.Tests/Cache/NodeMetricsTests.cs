using System.Text.Json.Nodes;
using Recipes.Cache;

namespace Recipes.Engine.Tests.Cache;

public sealed class NodeMetricsTests
{
    [Fact]
    public void RecordedTextAndARunsObjectGiveTheSameJson()
    {
        var run = NodeMetrics.FromObject(new JsonObject { ["loss"] = 0.1, ["steps"] = 3 });
        var recorded = NodeMetrics.FromJson(run.Json);
        Assert.Equal("{\"loss\":0.1,\"steps\":3}", recorded.Json);
        Assert.Equal(0.1, recorded.ToObject()["loss"]!.GetValue<double>());
        Assert.False(recorded.IsEmpty);
    }

    [Fact]
    public void ReadersGetCopiesSoTheRecordCannotBeChangedThroughThem()
    {
        var metrics = NodeMetrics.FromJson("{\"a\":1}");
        metrics.ToObject()["a"] = 2;
        Assert.Equal(1, metrics.ToObject()["a"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    public void NoMetricsAreEmpty(string? json) => Assert.True(NodeMetrics.FromJson(json).IsEmpty);

    [Theory]
    [InlineData("[1]")]
    [InlineData("{broken")]
    public void TextThatIsNotAnObjectReadsAsEmpty(string json) => Assert.Empty(NodeMetrics.FromJson(json).ToObject());
}
