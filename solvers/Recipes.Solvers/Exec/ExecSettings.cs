using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Solvers.Exec;

/// <summary>The settings every exec stage shares (simulator, converter, trainer, evaluator), declared once as typed handles.</summary>
public sealed class ExecSettings : ISettingGroup
{
    public static ExecSettings Shared { get; } = new();

    public Setting<double> Timeout { get; } = Settings.Number("timeout", "Seconds each command may run before it is killed.", 3600, min: 0.001);
    public Setting<string> Shell { get; } = Settings.Text("shell", "The shell that runs each command (with -c).", "sh", "sh", "bash");
    public Setting<int> Retries { get; } = Settings.Int("retries", "Further attempts after a transient failure (see retry_on), each from a clean copy of the inputs.", 0, min: 0, max: 20);
    public Setting<JsonNode?> RetryOn { get; } = Settings.Any("retry_on", "Which failures are transient: exit codes and/or 'timeout'.", new JsonArray());

    public IReadOnlyList<OptionSpec> Specs => [Timeout, Shell, Retries, RetryOn];
}
