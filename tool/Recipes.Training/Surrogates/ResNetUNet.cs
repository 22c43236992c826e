using Recipes.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Recipes.Training.Surrogates;

/// <summary>
/// The reference heat-diffusion surrogate: a ResNet encoder/decoder. Encoder level k is a residual block whose
/// stride-2 convolution halves the size and doubles the channels (from the single input channel: 2, 4, 8, 16 for depth
/// 4 and width 1), with SELU, BatchNorm and spatial dropout; the decoder mirrors it with transposed convolutions; a
/// convolution of each encoder output is added before the symmetric decoder block, and one of the raw input at the end.
/// </summary>
public sealed class ResNetUNet : Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> encoders = new();
    private readonly ModuleList<Module<Tensor, Tensor>> skips = new();
    private readonly ModuleList<Module<Tensor, Tensor>> decoders = new();
    private readonly Module<Tensor, Tensor> inputSkip;
    private readonly Module<Tensor, Tensor> head;

    public ResNetUNet(int depth, int width, double dropout) : base(nameof(ResNetUNet))
    {
        long Channels(int level) => level == 0 ? 1 : width * (1L << level);
        for (var k = 1; k <= depth; k++)
        {
            encoders.Add(new ResidualBlock($"enc{k}", Channels(k - 1), Channels(k), down: true, dropout));
            skips.Add(Conv2d(Channels(k), Channels(k), 1));
        }
        for (var k = depth; k >= 1; k--)
            decoders.Add(new ResidualBlock($"dec{k}", Channels(k), Math.Max(Channels(k - 1), width), down: false, dropout));
        inputSkip = Conv2d(1, width, 3, padding: 1);
        head = Conv2d(width, 1, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var features = new List<Tensor>();
        var x = input;
        foreach (var encoder in encoders)
        {
            x = encoder.call(x);
            features.Add(x);
        }
        for (var d = 0; d < decoders.Count; d++)
        {
            var level = features.Count - 1 - d;
            x = decoders[d].call(HeldScalars.Sum(x, skips[level].call(features[level])));
        }
        return head.call(HeldScalars.Sum(x, inputSkip.call(input))).MoveToOuterDisposeScope();
    }

    /// <summary>Main path conv–BN–SELU–conv–BN plus a projected shortcut, then SELU and spatial dropout.</summary>
    private sealed class ResidualBlock : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> main;
        private readonly Module<Tensor, Tensor> shortcut;
        private readonly Module<Tensor, Tensor> activation;
        private readonly Module<Tensor, Tensor> drop;

        public ResidualBlock(string name, long input, long output, bool down, double dropout) : base(name)
        {
            Module<Tensor, Tensor> resample = down
                ? Conv2d(input, output, 3, stride: 2, padding: 1)
                : ConvTranspose2d(input, output, 4, stride: 2, padding: 1);
            main = Sequential(resample, new HeldBatchNorm2d(output), SELU(), Conv2d(output, output, 3, padding: 1), new HeldBatchNorm2d(output));
            shortcut = down ? Conv2d(input, output, 1, stride: 2) : ConvTranspose2d(input, output, 2, stride: 2);
            activation = SELU();
            drop = Dropout2d(dropout);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => drop.call(activation.call(HeldScalars.Sum(main.call(x), shortcut.call(x))));
    }
}
