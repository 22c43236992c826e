using Recipes.Plugins;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Training.Diffusion;
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

    /// <summary>Each diffusion kind as its trainer built it by hand before the records existed (the reference bytes).</summary>
    public static TheoryData<string> DiffusionKinds => [DiffusionModelDescription.Vae, DiffusionModelDescription.Ddpm, DiffusionModelDescription.LatentDdpm];

    [Theory]
    [MemberData(nameof(DiffusionKinds))]
    public async Task EachDiffusionKindKeepsTheBytesOfEarlierModelsAndReadsBack(string kind)
    {
        var autoencoder = new AutoencoderDescription(16, 2, 4, 1e-4, 0.8731, 32);
        var denoiser = new DenoiserDescription(32, [1, 2, 2], 1000, 1e-4, 0.02, kind == DiffusionModelDescription.Ddpm ? 1 : 4, kind == DiffusionModelDescription.Ddpm ? 32 : 8);
        var description = kind switch
        {
            DiffusionModelDescription.Vae => new DiffusionModelDescription(kind, Autoencoder: autoencoder),
            DiffusionModelDescription.Ddpm => new DiffusionModelDescription(kind, Denoiser: denoiser),
            _ => new DiffusionModelDescription(kind, autoencoder, denoiser, ["inflow", "radius"], [0.5, 0.01], [2.0, 0.3]),
        };
        JsonObject Autoencoder() => new()
        {
            ["channels"] = 16, ["levels"] = 2, ["latent_channels"] = 4, ["kl_weight"] = 1e-4, ["latent_scale"] = 0.8731, ["size"] = 32,
        };
        JsonObject Denoiser() => new()
        {
            ["channels"] = 32, ["multipliers"] = new JsonArray(1, 2, 2), ["timesteps"] = 1000, ["beta_start"] = 1e-4, ["beta_end"] = 0.02,
            ["image_channels"] = denoiser.ImageChannels, ["size"] = denoiser.Size,
        };
        var reference = kind switch
        {
            DiffusionModelDescription.Vae => new JsonObject { ["model"] = kind, ["autoencoder"] = Autoencoder() },
            DiffusionModelDescription.Ddpm => new JsonObject { ["model"] = kind, ["denoiser"] = Denoiser() },
            _ => new JsonObject
            {
                ["model"] = kind, ["autoencoder"] = Autoencoder(), ["denoiser"] = Denoiser(),
                ["conditions"] = new JsonArray("inflow", "radius"), ["minimum"] = new JsonArray(0.5, 0.01), ["maximum"] = new JsonArray(2.0, 0.3),
            },
        };
        var path = Path.Combine(_dir, ModelFile.Name);

        await ModelFile.WriteAsync(path, description, CancellationToken.None);

        Assert.Equal(reference.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", await File.ReadAllTextAsync(path));
        var read = ModelFile.Read<DiffusionModelDescription>(path);
        Assert.Equal(kind, read.Model);
        Assert.Equal(description.Autoencoder, read.Autoencoder);
        Assert.Equal(description.Denoiser?.Multipliers, read.Denoiser?.Multipliers);
        Assert.Equal(description.Denoiser?.Size, read.Denoiser?.Size);
        Assert.Equal(description.Conditions, read.Conditions);
        Assert.Equal(description.Maximum, read.Maximum);
    }

    [Fact]
    public void ADiffusionModelWithoutTheDenoiserItsKindNeedsIsOneLine()
    {
        var path = Path.Combine(_dir, ModelFile.Name);
        File.WriteAllText(path, "{\"model\": \"ddpm\"}");
        var error = Assert.Throws<PluginException>(() => ModelFile.Read<DiffusionModelDescription>(path).RequireDenoiser("train"));
        Assert.Contains("train's model.json (ddpm) has no denoiser", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AnAutoencoderRoundTripsThroughACheckpointsState()
    {
        var autoencoder = new AutoencoderDescription(16, 2, 4, 1e-4, 0.8731, 32);
        var node = ModelFile.ToNode(autoencoder);
        Assert.Equal(0.8731, node["latent_scale"]!.GetValue<double>());
        Assert.Equal(autoencoder, ModelFile.FromNode<AutoencoderDescription>(node, "state"));
        Assert.Throws<PluginException>(() => ModelFile.FromNode<AutoencoderDescription>(new JsonObject { ["channels"] = "wide" }, "state"));
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
