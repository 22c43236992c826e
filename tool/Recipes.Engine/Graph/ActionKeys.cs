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

    public static ActionKey Compute(GraphNode node, IReadOnlyList<OutputFile>?[] outputs)
    {
        var inputs = new List<KeyValuePair<string, string>>(node.Files.Count + node.Dependencies.Count * 2);
        foreach (var file in node.Files) inputs.Add(new("file:" + file.Name, file.Hash));
        for (var i = 0; i < node.Dependencies.Count; i++)
        {
            var prefix = i < Prefixes.Length ? Prefixes[i] : "in" + i.ToString(CultureInfo.InvariantCulture) + ":";
            foreach (var output in outputs[node.Dependencies[i].Index]!)
                inputs.Add(new(prefix + output.Name, output.Hash));
        }
        // One hasher per thread, reset per key: the probe of a large graph computes tens of thousands of keys.
        var builder = (PerThread ??= new KeyBuilder()).Reset()
            .Add("format", FormatText)
            .AddObject("spec", node.Spec.Members);
        foreach (var (name, hash) in inputs) builder.Add(name, hash);
        return new ActionKey(builder.Build(), inputs);
    }

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
