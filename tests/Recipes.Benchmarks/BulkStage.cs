using Recipes.Plugins;

namespace Recipes.Benchmarks;

/// <summary>
/// A stand-in solver for the bulk-generation benchmark: it writes <c>files</c> outputs of <c>bytes</c> bytes each, the
/// bytes derived from its parameters (so every node's outputs are distinct content, as real samples' are), and does no
/// other work, so that a build of it measures what the engine spends per node.
/// </summary>
public sealed class BulkStage : StagePlugin
{
    public override string Name => "bulk";
    public override string Stage => StageNames.Simulate;
    public override int Version => 1;
    public override string Summary => "Benchmark stand-in: N outputs of B bytes each.";

    private static readonly Setting<int> Files = Settings.Int("files", "Outputs per node.", 1, min: 1);
    private static readonly Setting<int> Bytes = Settings.Int("bytes", "Bytes per output.", 64, min: 1);

    public override IReadOnlyList<OptionSpec> Options { get; } = [Files, Bytes];

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var seed = string.Join(",", context.Parameters.Entries.Select(e => $"{e.Key}={e.Value?.ToJsonString()}"));
        foreach (var (name, content) in Contents(seed, Files.Read(context.Settings), Bytes.Read(context.Settings)))
            File.WriteAllBytes(context.OutputPath(name), content);
        return Task.CompletedTask;
    }

    /// <summary>The files one node writes: out0.bin ... of <paramref name="bytes"/> bytes, distinct per seed and file.</summary>
    public static IEnumerable<(string Name, byte[] Content)> Contents(string seed, int files, int bytes)
    {
        var random = new Random(seed.GetHashCode(StringComparison.Ordinal));
        for (var k = 0; k < files; k++)
        {
            var content = new byte[bytes];
            random.NextBytes(content);
            yield return ($"out{k}.bin", content);
        }
    }
}
