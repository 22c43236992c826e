using Recipes.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Recipes.Training.Diffusion;

/// <summary>
/// The KL-regularized autoencoder of latent diffusion ("High-Resolution Image Synthesis with Latent Diffusion Models",
/// Rombach et al. 2022) at small scale: the encoder halves the size <c>levels</c> times (×4 for two levels, ×8 for
/// three) with residual blocks and stride-2 convolutions and outputs the mean and log-variance of a Gaussian latent of
/// <c>latentChannels</c>; the decoder mirrors it with nearest-neighbour upsampling.
/// </summary>
public sealed class Autoencoder : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> encoderInput;
    private readonly ModuleList<ResidualBlock> encoderBlocks = new();
    private readonly ModuleList<Module<Tensor, Tensor>> encoderDown = new();
    private readonly Module<Tensor, Tensor> encoderOutput;
    private readonly Module<Tensor, Tensor> decoderInput;
    private readonly ModuleList<ResidualBlock> decoderBlocks = new();
    private readonly ModuleList<Module<Tensor, Tensor>> decoderUp = new();
    private readonly Module<Tensor, Tensor> decoderOutput;

    public Autoencoder(long imageChannels, long channels, int levels, long latentChannels) : base(nameof(Autoencoder))
    {
        var widths = Enumerable.Range(0, levels + 1).Select(l => channels * Math.Min(1L << l, 4)).ToList();
        encoderInput = Conv2d(imageChannels, widths[0], 3, padding: 1);
        for (var l = 0; l < levels; l++)
        {
            encoderBlocks.Add(new ResidualBlock($"enc{l}", widths[l], widths[l + 1]));
            encoderDown.Add(Conv2d(widths[l + 1], widths[l + 1], 3, stride: 2, padding: 1));
        }
        var deepest = widths[levels];
        encoderOutput = Sequential(ResidualBlock.Norm(deepest), SiLU(), Conv2d(deepest, 2 * latentChannels, 3, padding: 1));
        decoderInput = Conv2d(latentChannels, deepest, 3, padding: 1);
        for (var l = levels; l > 0; l--)
        {
            decoderBlocks.Add(new ResidualBlock($"dec{l}", widths[l], widths[l - 1]));
            decoderUp.Add(Conv2d(widths[l - 1], widths[l - 1], 3, padding: 1));
        }
        decoderOutput = Sequential(ResidualBlock.Norm(widths[0]), SiLU(), Conv2d(widths[0], imageChannels, 3, padding: 1));
        RegisterComponents();
    }

    /// <summary>Mean and log-variance of the latent, each [B, latentChannels, H/2^levels, W/2^levels].</summary>
    public (Tensor Mean, Tensor LogVariance) Encode(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var h = encoderInput.call(x);
        for (var l = 0; l < encoderBlocks.Count; l++) h = encoderDown[l].call(encoderBlocks[l].call(h, null));
        var moments = encoderOutput.call(h).chunk(2, 1);
        return (moments[0].MoveToOuterDisposeScope(), moments[1].clamp(held[-30], held[20]).MoveToOuterDisposeScope());
    }

    public Tensor Decode(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = decoderInput.call(z);
        for (var l = 0; l < decoderBlocks.Count; l++)
            h = decoderUp[l].call(nn.functional.interpolate(decoderBlocks[l].call(h, null), scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest));
        return decoderOutput.call(h).MoveToOuterDisposeScope();
    }

    /// <summary>Reconstruction from the latent mean (no sampling): what evaluation and latent diffusion use.</summary>
    public override Tensor forward(Tensor x) => Decode(Encode(x).Mean);
}
