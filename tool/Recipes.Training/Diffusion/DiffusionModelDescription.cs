using System.Text.Json.Serialization;

namespace Recipes.Training.Diffusion;

/// <summary>
/// A diffusion trainer's model.json: <c>vae</c> (an autoencoder alone), <c>ddpm</c> (a pixel denoiser) or
/// <c>latent-ddpm</c> (a denoiser in an autoencoder's latent space, with the conditions it was trained on and their
/// ranges). Members a kind does not have are left out of the file, so each kind keeps the bytes it had.
/// </summary>
public sealed record DiffusionModelDescription(
    string Model,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AutoencoderDescription? Autoencoder = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DenoiserDescription? Denoiser = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Conditions = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? Minimum = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? Maximum = null)
{
    public const string Vae = "vae";
    public const string Ddpm = "ddpm";
    public const string LatentDdpm = "latent-ddpm";

    /// <summary>The autoencoder, or one line saying the model has none.</summary>
    public AutoencoderDescription RequireAutoencoder(string owner) =>
        Autoencoder ?? throw new Plugins.PluginException($"{owner}'s model.json ({Model}) has no autoencoder; retrain with this version of the tool");

    /// <summary>The denoiser, or one line saying the model has none.</summary>
    public DenoiserDescription RequireDenoiser(string owner) =>
        Denoiser ?? throw new Plugins.PluginException($"{owner}'s model.json ({Model}) has no denoiser; retrain with this version of the tool");
}
