using Recipes.Execution;
using Recipes.Tests.Support;

namespace Recipes.Tests.Diffusion;

/// <summary>The smoke-to-diffusion pipeline on 8-pixel plumes: determinism and the errors a user can run into.</summary>
[Trait("Category", "Training")]
[Trait("Category", "BothPaths")]
public sealed class TinyDiffusionTests
{
    internal static void Recipe(Workspace ws, string train, string dataset = "parameters: [wind_x]", string evaluate = "{ evaluator: diffusion, sampling_steps: 3, regressor_steps: 5 }")
    {
        ws.Write("recipe.yaml", $$"""
            recipe: tiny-smoke
            seed: 5
            parameters:
              samples: 12
              sampler: sobol
              space:
                wind_x: { uniform: [-2, 2] }
            stages:
              simulate: { solver: smoke2d, size: 8, steps: 3 }
              dataset: { format: image-folder, {{dataset}}, split: { train: 0.75, test: 0.25 } }
              train: {{train}}
              evaluate: {{evaluate}}
            """);
    }

    internal const string Latent = "{ model: latent-ddpm, vae_channels: 8, vae_steps: 5, channels: 8, multipliers: [1], steps: 5, batch: 4 }";

    private static Dictionary<string, string> Tree(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    internal const string Pixel = "{ model: ddpm, channels: 8, multipliers: [1, 2], steps: 5, batch: 4 }";
    internal const string Autoencoder = "{ model: vae, channels: 8, steps: 5, batch: 4 }";

    /// <summary>
    /// One case per diffusion trainer (latent-ddpm trains the autoencoder and the denoiser, and its evaluation trains the
    /// parameter regressor): a NaN fails the build, lost determinism fails the comparison, on either instruction-set path.
    /// </summary>
    [Theory]
    [InlineData(Latent)]
    [InlineData(Pixel)]
    [InlineData(Autoencoder)]
    public void TwoFreshBuildsGiveByteIdenticalDatasetsWeightsAndSamples(string train)
    {
        using var first = new Workspace();
        using var second = new Workspace();
        foreach (var ws in new[] { first, second })
        {
            Recipe(ws, train);
            BuildAssert.NoFailures(ws.Build());
        }
        var (a, b) = (Tree(first.OutDir), Tree(second.OutDir));
        Assert.Contains(train == Autoencoder ? "tiny-smoke/train/vae.safetensors" : "tiny-smoke/train/model.safetensors", a.Keys);
        Assert.Contains("tiny-smoke/evaluate/samples.png", a.Keys);
        Assert.Equal(a, b);
    }

    private static string Failure(Workspace ws)
    {
        var result = ws.Build();
        Assert.Equal(1, result.Summary.Failed);
        var failed = result.Graph.Nodes.Single(n => result.States.Status[n.Index] == NodeStatus.Failed);
        return $"{failed.Id}: {result.States.Messages[failed.Index]}";
    }

    [Fact]
    public void AUNetTooDeepForTheImagesFailsTheNodeSayingWhy()
    {
        using var ws = new Workspace();
        Recipe(ws, "{ model: ddpm, channels: 8, multipliers: [1, 1, 1, 1, 1], steps: 2, batch: 4 }");
        var message = Failure(ws);
        Assert.StartsWith("train:", message);
        Assert.Contains("5 UNet levels need an image size divisible by 16; the images are 8x8", message);
    }

    [Fact]
    public void AnAutoencoderThatDoesNotDivideTheImagesFailsSayingWhy()
    {
        using var ws = new Workspace();
        Recipe(ws, "{ model: vae, downsample: 16, steps: 2 }");
        Assert.Contains("not divisible by the autoencoder's downsampling 16", Failure(ws));
    }

    [Fact]
    public void ADatasetParameterTheSamplesLackFailsNamingWhatTheyHave()
    {
        using var ws = new Workspace();
        Recipe(ws, Latent, dataset: "parameters: [wind_y]");
        var message = Failure(ws);
        Assert.StartsWith("dataset/shard-0000:", message);
        Assert.Contains("has no parameter 'wind_y'", message);
        Assert.Contains("wind_x", message);
    }
}
