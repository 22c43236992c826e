using Recipes.Plugins;

namespace Recipes.Benchmarks;

/// <summary>
/// A stand-in for a real solver that costs nothing, so that a 100,000-sample cache can be populated in minutes and the
/// benchmarks measure the engine's own overhead. It writes one small file derived from its inputs and parameters.
/// </summary>
public sealed class EchoStage(string stage) : StagePlugin
{
    public override string Name => "echo";
    public override string Stage { get; } = stage;
    public override int Version => 1;
    public override string Summary => "Benchmark stand-in: one small output file.";

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var text = string.Join(",", context.Parameters.Entries.Select(e => $"{e.Key}={e.Value?.ToJsonString()}"))
            + "|" + string.Join(",", context.InputFiles.Select(f => f.Hash));
        File.WriteAllText(context.OutputPath($"{Stage}.txt"), text);
        return Task.CompletedTask;
    }
}
