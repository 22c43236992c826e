using System.Globalization;
using Recipes.Cache;
using Recipes.Hashing;

namespace Recipes.Graph;

/// <summary>
/// The action key of the hashing contract: cache format, the node's canonical spec (stage, implementation and version,
/// resolved parameters and settings, derived seed), and the content hash of every input file and upstream output.
/// </summary>
public static class ActionKeys
{
    private static readonly string[] Prefixes = Enumerable.Range(0, 64).Select(i => "in" + i.ToString(CultureInfo.InvariantCulture) + ":").ToArray();
    private static readonly string FormatText = GraphPlanner.CacheFormat.ToString(CultureInfo.InvariantCulture);

    [ThreadStatic]
    private static KeyBuilder? PerThread;

    /// <param name="expected">The key the node is expected to have (the last build's record): returned as the key's
    /// text when equal, instead of a new string.</param>
    public static ActionKey Compute(GraphNode node, IReadOnlyList<OutputFile>?[] outputs, string? expected = null) =>
        new(HashOf(node, outputs, expected), node, outputs);

    /// <summary>The key's text alone (see <see cref="Compute"/>).</summary>
    public static string HashOf(GraphNode node, IReadOnlyList<OutputFile>?[] outputs, string? expected = null)
    {
        // One hasher per thread, reset per key: the probe of a large graph computes millions of keys, and makes no
        // input label or list for them (ActionKey lists the inputs if asked).
        var builder = (PerThread ??= new KeyBuilder()).Reset()
            .Add("format", FormatText)
            .AddObject("spec", node.Spec.Members);
        foreach (var file in node.Files) builder.Add("file:", file.Name, file.Hash);
        for (var i = 0; i < node.Dependencies.Count; i++)
        {
            var prefix = PrefixOf(i);
            foreach (var output in outputs[node.Dependencies[i].Index]!) builder.Add(prefix, output.Name, output.Hash);
        }
        return builder.Build(expected);
    }

    /// <summary>The named input hashes a key covers, in the order they were hashed.</summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> InputsOf(GraphNode node, IReadOnlyList<OutputFile>?[] outputs)
    {
        var inputs = new List<KeyValuePair<string, string>>(node.Files.Count + node.Dependencies.Count * 2);
        foreach (var file in node.Files) inputs.Add(new("file:" + file.Name, file.Hash));
        for (var i = 0; i < node.Dependencies.Count; i++)
            foreach (var output in outputs[node.Dependencies[i].Index]!)
                inputs.Add(new(PrefixOf(i) + output.Name, output.Hash));
        return inputs;
    }

    private static string PrefixOf(int i) => i < Prefixes.Length ? Prefixes[i] : "in" + i.ToString(CultureInfo.InvariantCulture) + ":";

    /// <summary>
    /// The checkpoint family of a resumable trainer's node: like its key, but over the spec without the length setting,
    /// so the runs of every length on the same inputs share their checkpoints. Null for other nodes.
    /// </summary>
    public static string? Family(GraphNode node, ActionKey key)
    {
        if (node.ResumeFamily is not { } family) return null;
        var builder = new KeyBuilder().Add("format", FormatText).Add("kind", "resume").AddObject("spec", family.Members);
        foreach (var (name, hash) in key.Inputs) builder.Add(name, hash);
        return builder.Build();
    }
}
