using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Stages.Datasets;

namespace Recipes.Tests.Stages;

/// <summary>The image-folder dataset of smoke plumes records every sample's draws in draws.jsonl, as the sample's draws.json has them.</summary>
public sealed class ImageFolderDrawsTests(TinyImageFolder data) : IClassFixture<TinyImageFolder>
{
    [Fact]
    public void DrawsJsonlHoldsEverySamplesDrawsAndSplit()
    {
        var root = TinyImageFolder.Root(data.First);
        var lines = File.ReadAllLines(Path.Combine(root, ImageFolderDatasetStage.DrawsFile)).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(12, lines.Count);
        foreach (var line in lines)
        {
            var id = line["id"]!.GetValue<string>();
            var split = line["split"]!.GetValue<string>();
            // The sample's image is in the split the line names.
            Assert.True(File.Exists(Path.Combine(root, split, id + ".png")), $"{id} is not in {split}");
            var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(data.First.OutDir, "tiny-folder", "samples", id, StageNames.Simulate, SampleDraws.FileName)))!;
            Assert.True(JsonNode.DeepEquals(recorded[SampleDraws.Key], line[SampleDraws.Key]), $"{id}: draws.jsonl differs from draws.json");
            Assert.NotEmpty(line[SampleDraws.Key]!["source"]!["strength"]!.AsArray());
        }
        // The card names the file it sits beside.
        Assert.Contains("`draws.jsonl`", File.ReadAllText(Path.Combine(root, "README.md")), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(root, ImageFolderDatasetStage.DrawsFile)),
            File.ReadAllBytes(Path.Combine(TinyImageFolder.Root(data.Second), ImageFolderDatasetStage.DrawsFile)));
    }
}
