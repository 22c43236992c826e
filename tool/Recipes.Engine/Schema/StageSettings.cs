using Recipes.Plugins;

namespace Recipes.Schema;

/// <summary>Settings every stage accepts, whatever its implementation.</summary>
public static class StageSettings
{
    public const string Materialize = "materialize";
    public const string Threads = "threads";
    public const string Device = "device";
    public const string Shard = "shard";
    public const string Online = "online";
    public const string CheckpointSeconds = "checkpoint_seconds";

    public static IReadOnlyList<OptionSpec> Common { get; } =
    [
        new OptionSpec(Materialize, OptionType.Boolean, "Copy this stage's outputs into out/<recipe>/ (default: every stage but render and augment).")
            { AffectsOutput = false },
        new OptionSpec(Threads, OptionType.Integer, "CPU threads one node of this stage holds out of --jobs (default: the implementation's choice).")
            { Minimum = 1, AffectsOutput = false },
        new OptionSpec(Device, OptionType.String, "Where kernels run: auto (CUDA when present), cpu or cuda; overrides execution.device.")
            { AllowedValues = DeviceKinds.Names, AffectsOutput = false },
    ];

    /// <summary>Settings the engine reads for particular stages; unlike <see cref="Common"/> they reach the plugin too.</summary>
    public static IReadOnlyList<OptionSpec> EngineOptions(string stage) => stage switch
    {
        StageNames.Dataset =>
        [
            OptionSpec.Int(Shard, "Samples per dataset shard; each shard is one node, so growing a sweep rebuilds only the last and new shards (default: one shard).", null, min: 1),
        ],
        StageNames.Train =>
        [
            OptionSpec.Flag(Online, "Start training as soon as the first shard exists and take in later shards as they finish; results are identical to an offline run.", false) with { AffectsOutput = false },
            OptionSpec.Number(CheckpointSeconds, "A trainer that can resume saves its state at least this often while it runs (and always at the end), so a longer or interrupted run continues from there; the results are the same bytes either way.", 120, min: 1) with { AffectsOutput = false },
        ],
        _ => [],
    };

    public static bool IsCommon(string name) => Common.Any(o => o.Name == name);
}
