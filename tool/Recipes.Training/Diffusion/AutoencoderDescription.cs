namespace Recipes.Training.Diffusion;

/// <summary>The autoencoder in a diffusion model.json (and in a latent denoiser's checkpoint): how to rebuild it.</summary>
/// <param name="LatentScale">The factor that brings the training latents to unit variance.</param>
/// <param name="Size">The image size it was trained on, in pixels.</param>
public sealed record AutoencoderDescription(int Channels, int Levels, int LatentChannels, double KlWeight, double LatentScale, int Size);
