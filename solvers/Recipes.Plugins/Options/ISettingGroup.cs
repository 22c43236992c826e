namespace Recipes.Plugins;

/// <summary>
/// Settings that several plug-ins share, declared once as typed handles in one object (the denoiser of every diffusion
/// trainer, an autoencoder under a prefix); a plug-in holds the group and lists its <see cref="Specs"/> among its options.
/// </summary>
public interface ISettingGroup
{
    IReadOnlyList<OptionSpec> Specs { get; }
}
