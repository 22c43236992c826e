namespace Recipes.Recipe;

/// <summary>The recipe's <c>execution:</c> block; command-line options override it.</summary>
public sealed record ExecutionSettings(int? Jobs, string? Device, string? Executor, bool? KeepGoing)
{
    public static ExecutionSettings None { get; } = new(null, null, null, null);
}
