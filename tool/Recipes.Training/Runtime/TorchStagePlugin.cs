using Recipes.Plugins;
using TorchSharp;

namespace Recipes.Training;

/// <summary>
/// Base of the stages that run libtorch. libtorch's random generator and thread count are one per process, so such
/// nodes run one at a time in a process (a seeded node must not share the generator with another). Each runs on its
/// own OS thread (<see cref="TorchThread"/>) with libtorch loaded and set up by <see cref="TorchDeterminism"/> and, for
/// seeded stages, the generator seeded from the node's seed. <c>torch_threads</c> is declared here once for every
/// libtorch stage (see <see cref="TorchDeterminism"/> for why it defaults to one thread and is part of the key).
/// </summary>
public abstract class TorchStagePlugin : StagePlugin
{
    /// <summary>Held while a libtorch stage runs; tests that seed libtorch hold it too.</summary>
    public static readonly SemaphoreSlim ProcessLock = new(1, 1);

    public static Setting<int> ThreadsSetting { get; } = Settings.Int("torch_threads",
        "libtorch intra-op threads. 1 gives the same bytes whatever the machine's cores and load; more train faster but round sums differently, so the value is part of the key.",
        1, min: 1, max: 256);

    private IReadOnlyList<OptionSpec>? _options;

    /// <summary>The stage's own settings; <c>torch_threads</c> is added to them.</summary>
    protected abstract IReadOnlyList<OptionSpec> StageOptions { get; }

    public sealed override IReadOnlyList<OptionSpec> Options => _options ??= [.. StageOptions, ThreadsSetting];

    public static int Threads(ValueMap settings) => ThreadsSetting.Read(settings);

    public override NodeResources GetResources(ValueMap settings) => new(Threads(settings), 0);

    public sealed override async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        await ProcessLock.WaitAsync(cancellationToken);
        try
        {
            TorchRuntime.EnsureLoadable();
            await TorchThread.RunAsync(async () =>
            {
                TorchDeterminism.Apply(Threads(context.Settings));
                TorchDeterminism.Require();
                if (UsesSeed) torch.manual_seed(unchecked((long)context.Seed));
                await RunTorchAsync(context, cancellationToken);
            });
        }
        finally
        {
            ProcessLock.Release();
        }
    }

    protected abstract Task RunTorchAsync(PluginContext context, CancellationToken cancellationToken);
}
