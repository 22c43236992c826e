using Recipes.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Recipes.Training.Diffusion;

/// <summary>
/// GroupNorm–SiLU–conv twice, with an optional embedding (time, condition) added per channel between the two, and a
/// 1×1 shortcut when the channel count changes: the block of DDPM's UNet and of latent-diffusion autoencoders.
/// </summary>
public sealed class ResidualBlock : Module<Tensor, Tensor?, Tensor>
{
    private readonly Module<Tensor, Tensor> first;
    private readonly Module<Tensor, Tensor> second;
    private readonly Module<Tensor, Tensor>? embedding;
    private readonly Module<Tensor, Tensor>? shortcut;

    public ResidualBlock(string name, long input, long output, long embeddingSize = 0) : base(name)
    {
        first = Sequential(Norm(input), SiLU(), Conv2d(input, output, 3, padding: 1));
        second = Sequential(Norm(output), SiLU(), Conv2d(output, output, 3, padding: 1));
        if (embeddingSize > 0) embedding = Sequential(SiLU(), Linear(embeddingSize, output));
        if (input != output) shortcut = Conv2d(input, output, 1);
        RegisterComponents();
    }

    /// <summary>
    /// GroupNorm with its affine parameters set to 1 and 0 here: TorchSharp 0.107 leaves them uninitialized (the memory
    /// may hold anything, NaN included), where PyTorch initializes them so.
    /// </summary>
    public static GroupNorm Norm(long channels)
    {
        var norm = GroupNorm(Groups(channels), channels);
        using (no_grad())
        using (var held = new HeldScalars())
        {
            norm.weight!.fill_(held[1]);
            norm.bias!.zero_();
        }
        return norm;
    }

    /// <summary>Eight groups where the channels allow, as in DDPM's 32 for wider models.</summary>
    public static long Groups(long channels) => channels % 8 == 0 ? 8 : channels % 4 == 0 ? 4 : 1;

    public override Tensor forward(Tensor x, Tensor? embeddingInput)
    {
        var h = first.call(x);
        if (embedding is not null && embeddingInput is not null) h = HeldScalars.Sum(h, embedding.call(embeddingInput).unsqueeze(-1).unsqueeze(-1));
        h = second.call(h);
        return HeldScalars.Sum(h, shortcut is null ? x : shortcut.call(x));
    }
}
