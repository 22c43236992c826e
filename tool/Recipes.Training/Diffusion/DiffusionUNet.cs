using Recipes.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Recipes.Training.Diffusion;

/// <summary>
/// The noise predictor ε_θ(x_t, t, c) of "Denoising Diffusion Probabilistic Models" (Ho et al. 2020), at small scale:
/// a UNet of residual blocks over levels of <c>channels·multipliers[l]</c> channels with stride-2 downsampling and
/// nearest-neighbour upsampling, a sinusoidal time embedding through an MLP added in every block, and for conditional
/// models an MLP embedding of the condition vector added to it. The condition is multiplied by a 0/1 mask so that one
/// network also learns the unconditional prediction classifier-free guidance needs.
/// </summary>
public sealed class DiffusionUNet : Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly long channels;
    private readonly Module<Tensor, Tensor> timeEmbedding;
    private readonly Module<Tensor, Tensor>? conditionEmbedding;
    private readonly Module<Tensor, Tensor> input;
    private readonly ModuleList<ResidualBlock> down = new();
    private readonly ModuleList<Module<Tensor, Tensor>> downsample = new();
    private readonly ResidualBlock middle1;
    private readonly ResidualBlock middle2;
    private readonly ModuleList<ResidualBlock> up = new();
    private readonly ModuleList<Module<Tensor, Tensor>> upsample = new();
    private readonly Module<Tensor, Tensor> output;

    public DiffusionUNet(long imageChannels, long channels, IReadOnlyList<int> multipliers, int conditions) : base(nameof(DiffusionUNet))
    {
        this.channels = channels;
        var embedding = 4 * channels;
        timeEmbedding = Sequential(Linear(channels, embedding), SiLU(), Linear(embedding, embedding));
        if (conditions > 0) conditionEmbedding = Sequential(Linear(conditions, embedding), SiLU(), Linear(embedding, embedding));
        input = Conv2d(imageChannels, channels, 3, padding: 1);
        var widths = multipliers.Select(m => channels * m).ToList();
        var previous = channels;
        for (var level = 0; level < widths.Count; level++)
        {
            down.Add(new ResidualBlock($"down{level}", previous, widths[level], embedding));
            previous = widths[level];
            downsample.Add(level < widths.Count - 1 ? Conv2d(previous, previous, 3, stride: 2, padding: 1) : Identity());
        }
        middle1 = new ResidualBlock("middle1", previous, previous, embedding);
        middle2 = new ResidualBlock("middle2", previous, previous, embedding);
        for (var level = widths.Count - 1; level >= 0; level--)
        {
            up.Add(new ResidualBlock($"up{level}", previous + widths[level], widths[level], embedding));
            previous = widths[level];
            upsample.Add(level > 0 ? Conv2d(previous, previous, 3, padding: 1) : Identity());
        }
        output = Sequential(ResidualBlock.Norm(previous), SiLU(), Conv2d(previous, imageChannels, 3, padding: 1));
        RegisterComponents();
    }

    /// <summary>The transformer-style sinusoidal embedding of the (float) timesteps.</summary>
    public static Tensor Sinusoidal(Tensor timesteps, long size)
    {
        var half = size / 2;
        using var held = new HeldScalars();
        // arange(stop) with the start 0 and step 1 it passes itself, as Scalars that stay alive.
        var frequencies = exp(arange(held[0], held[half], held[1], dtype: ScalarType.Float32) * held[-Math.Log(10000.0) / half]);
        var angles = timesteps.to_type(ScalarType.Float32).unsqueeze(1) * frequencies.unsqueeze(0);
        return cat([sin(angles), cos(angles)], 1);
    }

    /// <summary>ε_θ for a batch: images [B, C, H, W], timesteps [B], conditions [B, P] already masked (or null).</summary>
    public override Tensor forward(Tensor x, Tensor timesteps, Tensor? conditions)
    {
        using var scope = NewDisposeScope();
        var embedding = timeEmbedding.call(Sinusoidal(timesteps, channels));
        if (conditionEmbedding is not null && conditions is not null) embedding = HeldScalars.Sum(embedding, conditionEmbedding.call(conditions));
        var h = input.call(x);
        var skips = new Stack<Tensor>();
        for (var level = 0; level < down.Count; level++)
        {
            h = down[level].call(h, embedding);
            skips.Push(h);
            h = downsample[level].call(h);
        }
        h = middle2.call(middle1.call(h, embedding), embedding);
        for (var k = 0; k < up.Count; k++)
        {
            h = up[k].call(cat([h, skips.Pop()], 1), embedding);
            if (k < up.Count - 1) h = upsample[k].call(nn.functional.interpolate(h, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest));
        }
        return output.call(h).MoveToOuterDisposeScope();
    }
}
