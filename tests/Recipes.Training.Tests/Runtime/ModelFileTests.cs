using Recipes.Plugins;
using Recipes.Training.GraphNetworks;
using Recipes.Training.Surrogates;

namespace Recipes.Training.Tests.Runtime;

/// <summary>model.json between trainer and evaluator: typed both ways, the bytes trained models already have, bad files refused in one line.</summary>
public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("model-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TheGraphNetworksDescriptionKeepsTheBytesOfEarlierModelsAndReadsBack()
    {
        var path = Path.Combine(_dir, ModelFile.Name);
        var description = new GnsModelDescription("gns", 64, 3, 3.0e-4, 30, 3, 2, true, 0.999);
        await ModelFile.WriteAsync(path, description, CancellationToken.None);
        // The text the trainer wrote before the record existed (a JsonObject, indented): cached models stay valid.
        Assert.Equal("""
            {
              "model": "gns",
              "latent_size": 64,
              "message_passing_steps": 3,
              "noise_std": 0.0003,
              "node_features": 30,
              "edge_features": 3,
              "dim": 2,
              "clamp_to_box": true,
              "ema_decay": 0.999
            }

            """.ReplaceLineEndings("\n"), await File.ReadAllTextAsync(path));
        Assert.Equal(description, ModelFile.Read<GnsModelDescription>(path));
    }

    [Fact]
    public async Task TheRegressorsDescriptionReadsBack()
    {
        var path = Path.Combine(_dir, ModelFile.Name);
        var description = new ResNetUNetDescription("resnet-unet", 3, 16, 0.1, 64, 20, 400);
        await ModelFile.WriteAsync(path, description, CancellationToken.None);
        Assert.Equal(description, ModelFile.Read<ResNetUNetDescription>(path));
    }

    [Theory]
    [InlineData("{\"model\": \"gns\", \"latent_size\": 64}", "not the model description this evaluator reads")]
    [InlineData("{\"model\": \"gns\", \"latent_size\": \"wide\", \"message_passing_steps\": 3, \"noise_std\": 0, \"node_features\": 1, \"edge_features\": 1, \"dim\": 2, \"clamp_to_box\": true, \"ema_decay\": 0}", "not the model description")]
    [InlineData("[1, 2", "not the model description")]
    [InlineData("", "is empty or not a regular file")]
    public void AFileThatIsNotADescriptionIsOneLineNamingIt(string text, string expected)
    {
        var path = Path.Combine(_dir, ModelFile.Name);
        File.WriteAllText(path, text);
        var error = Assert.Throws<PluginException>(() => ModelFile.Read<GnsModelDescription>(path));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
