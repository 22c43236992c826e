using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Plugins;

namespace Recipes.Engine.Tests.Execution;

public sealed class RunNodeReportTests
{
    [Fact]
    public void TheReportRoundTripsWithSnakeCaseFieldsAndLowerCaseStatuses()
    {
        var report = new RunNodeReport([
            new RunNodeOutcome("simulate/000001", NodeStatus.Executed, "abc", 1.25, 4096),
            new RunNodeOutcome("simulate/000002", NodeStatus.Failed, "def", 0.5, 0, "solver exited with 3"),
            new RunNodeOutcome("simulate/000003", NodeStatus.Cached, "ghi"),
        ]);
        var json = report.ToJson();
        var parsed = JsonNode.Parse(json)!["nodes"]!.AsArray();
        Assert.Equal("executed", parsed[0]!["status"]!.GetValue<string>());
        Assert.Equal(4096, parsed[0]!["output_bytes"]!.GetValue<long>());
        Assert.Null(parsed[2]!["error"]);
        Assert.DoesNotContain('\n', json);

        var back = RunNodeReport.Parse(json);
        Assert.Equal(report.Nodes, back.Nodes);
        Assert.Equal("solver exited with 3", back.Find("simulate/000002")!.Error);
        Assert.Null(back.Find("simulate/000009"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"nodes\": [{\"node\": \"a\", \"status\": \"exploded\"}]}")]
    [InlineData("[1, 2]")]
    public void WhatIsNotAReportIsRejected(string json) => Assert.ThrowsAny<JsonException>(() => RunNodeReport.Parse(json));

    [Theory]
    [InlineData("auto", DeviceKind.Auto)]
    [InlineData("cpu", DeviceKind.Cpu)]
    [InlineData("cuda", DeviceKind.Cuda)]
    public void DevicesAreSpelledOneWay(string name, DeviceKind kind)
    {
        Assert.Equal(kind, DeviceKinds.Parse(name));
        Assert.Equal(name, kind.Name());
    }

    [Fact]
    public void AnUnknownDeviceNamesTheChoices() =>
        Assert.Contains("auto, cpu, cuda", Assert.Throws<FormatException>(() => DeviceKinds.Parse("gpu")).Message, StringComparison.Ordinal);
}
