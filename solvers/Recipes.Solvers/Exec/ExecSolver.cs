using Recipes.Plugins;

namespace Recipes.Solvers.Exec;

/// <summary>
/// Runs an external program: declared commands in a fresh sandbox directory holding the sample's rendered base case,
/// with the sample's parameters as <c>RECIPES_PARAM_NAME</c> variables (<see cref="ExecCommands"/> for the rest: timeouts,
/// retries, output globs, NaN checks, identity). Registered for <c>simulate</c> and for <c>postprocess</c>.
/// </summary>
public sealed class ExecSolver : StagePlugin
{
    public ExecSolver(string stage) => Stage = stage;

    public override string Name => "exec";
    public override string Stage { get; }
    public override int Version => 1;
    public override string Summary => "Run commands in a sandbox holding the sample's files; collect output globs.";

    /// <summary>The shared exec settings this stage reads (through <see cref="ExecCommands"/>).</summary>
    private static readonly ExecSettings Exec = ExecSettings.Shared;

    public override IReadOnlyList<OptionSpec> Options { get; } = ExecCommands.Options();

    public override IEnumerable<OptionProblem> Validate(ValueMap settings) => ExecCommands.Validate(settings);

    public override string? Identity(ValueMap settings, string recipeDirectory) => ExecCommands.Identity(settings, recipeDirectory);

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in context.Parameters.Entries)
            if (value is System.Text.Json.Nodes.JsonValue) parameters["RECIPES_PARAM_" + key.ToUpperInvariant()] = context.Parameters.GetString(key);
        return ExecCommands.RunAsync(context, sandbox => ExecCommands.CopyIn(context.InputFiles, sandbox), parameters, null, cancellationToken);
    }
}
