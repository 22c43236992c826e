using System.Text.Json.Nodes;
using Recipes.Hashing;
using Recipes.Tests.Support;

namespace Recipes.Tests.Engine;

public sealed class ManifestTests
{
    [Fact]
    public void ManifestListsEverySampleWithParametersAndFileHashes()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Build();
        var root = Path.Combine(ws.OutDir, "sweep");
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "manifest.json")))!;
        var samples = manifest["samples"]!.AsArray();
        Assert.Equal(6, samples.Count);
        foreach (var sample in samples)
        {
            Assert.NotNull(sample!["parameters"]!["a"]);
            var files = sample["files"]!.AsArray();
            Assert.Equal(2, files.Count);
            foreach (var file in files)
            {
                var path = Path.Combine(root, file!["path"]!.GetValue<string>());
                Assert.Equal(file["hash"]!.GetValue<string>(), ContentHash.OfFile(path));
            }
        }
        Assert.Contains(manifest["artifacts"]!.AsArray(), a => a!["stage"]?.GetValue<string>() == "dataset" && a["path"] is not null);
    }

    [Fact]
    public void FilesNoLongerProducedAreRemovedFromOut()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Build();
        Assert.True(Directory.Exists(Path.Combine(ws.OutDir, "sweep", "samples", "000005")));
        SampleRecipes.Sweep(ws, space: "a: { choice: [1] }\n    b: { choice: [x, y] }");
        ws.Build();
        Assert.False(Directory.Exists(Path.Combine(ws.OutDir, "sweep", "samples", "000005")));
        Assert.True(Directory.Exists(Path.Combine(ws.OutDir, "sweep", "samples", "000001")));
    }

    [Fact]
    public void AnEditedOutputFileIsRestored()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        ws.Build();
        var file = Path.Combine(ws.OutDir, "sweep", "samples", "000000", "simulate", "out.txt");
        var original = File.ReadAllText(file);
        File.SetAttributes(file, FileAttributes.Normal);
        File.WriteAllText(file, "edited by hand");
        ws.Build();
        Assert.Equal(original, File.ReadAllText(file));
    }
}
