using Recipes.Plugins;

namespace Recipes.Recipe;

/// <summary>
/// The recipe's <c>execution:</c> block; command-line options override it. None of it enters an action key: where and
/// how a node runs never changes what it produces.
/// </summary>
public sealed record ExecutionSettings(int? Jobs, DeviceKind? Device, Execution.ExecutorKind? Executor, bool? KeepGoing, ValueMap? Slurm = null)
{
    public static ExecutionSettings None { get; } = new(null, null, null, null);
}
