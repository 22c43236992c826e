using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Plugins.Formats;
using Recipes.Tests.Support;

namespace Recipes.Tests.Workflows;

/// <summary>
/// Reference workflow 4 at CI size, built once for the class: 160 smoke plumes of 32 px, then the conditional
/// latent diffusion model (ci.yaml), the pixel DDPM (ci-ddpm.yaml) and the autoencoder alone (ci-vae.yaml), all on
/// one cache so the simulations run once. The three builds run the tool as a child process, as users do: libtorch
/// nodes take turns within one process, so training here in its own process lets the other test classes' training
/// use the second core meanwhile.
/// </summary>
public sealed class SmokeDiffusionBuild : IDisposable
{
    public SmokeDiffusionBuild()
    {
        Workspace.CopyRecipe("smoke-diffusion");
        Latent = FixtureClock.Measure("smoke-diffusion ci.yaml build", () => Build("ci.yaml"));
        Pixel = FixtureClock.Measure("smoke-diffusion ci-ddpm.yaml build", () => Build("ci-ddpm.yaml"));
        Autoencoder = FixtureClock.Measure("smoke-diffusion ci-vae.yaml build", () => Build("ci-vae.yaml"));
    }

    public Workspace Workspace { get; } = new();
    public CliBuild Latent { get; }
    public CliBuild Pixel { get; }
    public CliBuild Autoencoder { get; }

    private CliBuild Build(string recipe)
    {
        var run = Support.Cli.Run(Workspace.Root, null, TimeSpan.FromMinutes(30),
            "build", recipe, "--cache", Workspace.CacheDir, "--out", Workspace.OutDir, "--json");
        return new CliBuild(JsonNode.Parse(run.LastLine) ?? throw new InvalidOperationException($"recipes build {recipe} printed no summary: {run.Stderr}"), run.Stderr);
    }

    public JsonNode Json(string recipe, string relative) => JsonNode.Parse(File.ReadAllText(Path.Combine(Workspace.OutDir, recipe, relative)))!;

    public void Dispose() => Workspace.Dispose();
}

/// <summary>The JSON summary a <c>recipes build --json</c> prints last, with its stderr for failure messages.</summary>
public sealed record CliBuild(JsonNode Summary, string Stderr)
{
    public int Failed => Summary["failed"]!.GetValue<int>();
    public int Executed(string stage) => Summary["stages"]?[stage]?["executed"]?.GetValue<int>() ?? 0;
}

[Trait("Category", "Slow")]
[Trait("Category", "Training")]
public sealed class SmokeDiffusionTests(SmokeDiffusionBuild build) : IClassFixture<SmokeDiffusionBuild>
{
    /// <summary>The stated margin: generated images are at least this much closer to the real ones than uniform noise is.</summary>
    private const double Margin = 0.5;

    private static void LossFell(JsonNode loss, string curve, double factor)
    {
        var points = loss[curve]!.AsArray();
        var (first, last) = (points[0]!["loss"]!.GetValue<double>(), points[^1]!["loss"]!.GetValue<double>());
        Assert.True(last < first / factor, $"{curve} loss went from {first:G4} to {last:G4}, not down {factor}x");
    }

    private static void BeatsNoise(JsonNode metrics)
    {
        foreach (var key in new[] { "histogram_distance", "mean_density_error", "density_w1" })
        {
            var (generated, noise) = (metrics["generated"]![key]!.GetValue<double>(), metrics["noise"]![key]!.GetValue<double>());
            Assert.True(generated < Margin * noise, $"{key}: generated {generated:G4} vs noise {noise:G4}");
        }
    }

    [Fact]
    public void AllThreeModelsTrainAndEvaluate()
    {
        foreach (var result in new[] { build.Latent, build.Pixel, build.Autoencoder })
        {
            Assert.True(result.Failed == 0, result.Stderr);
            Assert.Equal(1, result.Executed("evaluate"));
        }
        // The simulations ran once, for the first recipe; the others found them cached.
        Assert.Equal(160, build.Latent.Executed("simulate"));
        Assert.Equal(0, build.Pixel.Executed("simulate"));
        Assert.Equal(0, build.Autoencoder.Executed("simulate"));
    }

    [Fact]
    public void LatentDiffusionFollowsItsConditionsAndBeatsNoise()
    {
        var metrics = build.Json("smoke-diffusion-ci", "evaluate/metrics.json");
        BeatsNoise(metrics);
        var loss = build.Json("smoke-diffusion-ci", "train/loss.json");
        LossFell(loss, "autoencoder", 10);
        LossFell(loss, "denoiser", 3);
        foreach (var parameter in new[] { "wind_x", "buoyancy" })
        {
            var correlation = metrics["conditions"]![parameter]!["correlation_generated"]!.GetValue<double>();
            Assert.True(correlation > 0.5, $"{parameter}: requested and recovered correlate only {correlation:F2}");
        }
        Assert.True(metrics["reconstruction_mse"]!.GetValue<double>() < 0.01);
        Assert.True(File.Exists(Path.Combine(build.Workspace.OutDir, "smoke-diffusion-ci", "evaluate", "samples.png")));
    }

    [Fact]
    public void PixelDiffusionBeatsNoise()
    {
        BeatsNoise(build.Json("smoke-ddpm-ci", "evaluate/metrics.json"));
        LossFell(build.Json("smoke-ddpm-ci", "train/loss.json"), "denoiser", 3);
    }

    [Fact]
    public void TheAutoencoderReconstructsFarBetterThanTheMeanImage()
    {
        var metrics = build.Json("smoke-vae-ci", "evaluate/metrics.json");
        var (reconstruction, mean) = (metrics["reconstruction_mse"]!.GetValue<double>(), metrics["mean_image_mse"]!.GetValue<double>());
        Assert.True(reconstruction < mean / 5, $"reconstruction MSE {reconstruction:G3} vs mean image {mean:G3}");
        LossFell(build.Json("smoke-vae-ci", "train/loss.json"), "autoencoder", 10);
    }

    [Fact]
    public void TheDatasetIsAnImageFolderWithMetadataAndArrays()
    {
        var root = Path.Combine(build.Workspace.OutDir, "smoke-diffusion-ci", "dataset");
        var total = 0;
        foreach (var split in new[] { "train", "test" })
        {
            var lines = File.ReadAllLines(Path.Combine(root, split, "metadata.jsonl"));
            Assert.NotEmpty(lines);
            foreach (var line in lines)
            {
                var entry = JsonNode.Parse(line)!;
                Assert.True(File.Exists(Path.Combine(root, split, entry["file_name"]!.GetValue<string>())));
                Assert.InRange(entry["wind_x"]!.GetValue<double>(), -2.0, 2.0);
                Assert.InRange(entry["buoyancy"]!.GetValue<double>(), 2.0, 6.0);
            }
            var images = NpyFile.Read(Path.Combine(root, $"{split}_images.npy"));
            Assert.Equal([lines.Length, 1, 32, 32], images.Shape);
            Assert.All(images.Data, v => Assert.InRange(v, 0f, 1f));
            Assert.Equal([lines.Length, 2], NpyFile.Read(Path.Combine(root, $"{split}_params.npy")).Shape);
            total += lines.Length;
        }
        Assert.Equal(160, total);
    }

    [Fact]
    public void WeightsAreSafetensorsWithEveryParameter()
    {
        var train = Path.Combine(build.Workspace.OutDir, "smoke-diffusion-ci", "train");
        var denoiser = SafeTensorsFile.Read(Path.Combine(train, "model.safetensors"));
        Assert.All(denoiser.Values, t => Assert.Equal("F32", t.DType));
        Assert.Contains(denoiser.Keys, k => k.StartsWith("timeEmbedding.", StringComparison.Ordinal));
        Assert.Contains(denoiser.Keys, k => k.StartsWith("conditionEmbedding.", StringComparison.Ordinal));
        var vae = SafeTensorsFile.Read(Path.Combine(train, "vae.safetensors"));
        Assert.Contains(vae.Keys, k => k.StartsWith("encoderInput.", StringComparison.Ordinal));
        Assert.Contains(vae.Keys, k => k.StartsWith("decoderOutput.", StringComparison.Ordinal));
    }

    [Fact]
    public void ANoOpRebuildRunsNothingAndANewGuidanceScaleRerunsOnlyEvaluation()
    {
        var again = build.Workspace.Build("ci.yaml");
        Assert.Equal(0, again.Summary.Executed);
        var guided = build.Workspace.Build("ci.yaml", "stages.evaluate.guidance=1.5");
        Assert.True(guided.Summary.Executed == 1, $"executed {guided.Summary.Executed}, failed {guided.Summary.Failed}: {string.Join("; ", guided.States.Messages.Where(m => m is not null))}");
        Assert.Equal(1, Workspace.Executed(guided, "evaluate"));
        Assert.Equal(1.5, build.Json("smoke-diffusion-ci", "evaluate/metrics.json")["guidance"]!.GetValue<double>());
        // Put the recipe's own figures back for the other tests.
        Assert.Equal(0, build.Workspace.Build("ci.yaml").Summary.Executed);
    }
}
