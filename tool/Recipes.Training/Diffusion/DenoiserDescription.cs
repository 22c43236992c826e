namespace Recipes.Training.Diffusion;

/// <summary>The denoiser in a diffusion model.json: its UNet and its noise schedule.</summary>
/// <param name="ImageChannels">Channels of what it denoises: 1 for pixels, the autoencoder's latent channels for latents.</param>
/// <param name="Size">The size of what it denoises, in pixels or latent cells.</param>
public sealed record DenoiserDescription(int Channels, IReadOnlyList<int> Multipliers, int Timesteps, double BetaStart, double BetaEnd, int ImageChannels, int Size);
