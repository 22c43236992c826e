using Recipes.Plugins;

namespace Recipes.Schema;

/// <summary>Settings every stage accepts, whatever its implementation.</summary>
public static class StageSettings
{
    public const string Materialize = "materialize";
    public const string Threads = "threads";
    public const string Device = "device";

    public static IReadOnlyList<OptionSpec> Common { get; } =
    [
        new OptionSpec(Materialize, OptionType.Boolean, "Copy this stage's outputs into out/<recipe>/ (default: every stage but render and augment).")
            { AffectsOutput = false },
        new OptionSpec(Threads, OptionType.Integer, "CPU threads one node of this stage holds out of --jobs (default: the implementation's choice).")
            { Minimum = 1, AffectsOutput = false },
        new OptionSpec(Device, OptionType.String, "Where kernels run: auto (CUDA when present), cpu or cuda; overrides execution.device.")
            { AllowedValues = ["auto", "cpu", "cuda"], AffectsOutput = false },
    ];
}
