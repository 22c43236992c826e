using Recipes.Plugins;
using Recipes.Plugins.Formats;

namespace Recipes.Training.Surrogates;

/// <summary>The (input, target) fields of one split of one dataset shard, read from its safetensors file.</summary>
public sealed record FieldPairs(int Count, int Size, float[] Inputs, float[] Targets)
{
    public static FieldPairs Read(UpstreamArtifacts shard, string split)
    {
        var file = shard.Files.FirstOrDefault(f => f.Name.EndsWith(".safetensors", StringComparison.Ordinal))
            ?? throw new PluginException($"{shard.NodeId} has no .safetensors shard; use dataset format npy");
        var tensors = SafeTensorsFile.Read(file.Path);
        if (!tensors.TryGetValue($"{split}_inputs", out var inputs) || !tensors.TryGetValue($"{split}_targets", out var targets))
            return new FieldPairs(0, 0, [], []);
        var x = inputs.ToArray();
        var y = targets.ToArray();
        return new FieldPairs(x.Shape[0], x.Shape.Length > 1 ? x.Shape[1] : 0, x.Data, y.Data);
    }

    public static FieldPairs Concat(IEnumerable<FieldPairs> parts)
    {
        var list = parts.Where(p => p.Count > 0).ToList();
        if (list.Count == 0) return new FieldPairs(0, 0, [], []);
        var size = list[0].Size;
        if (list.Any(p => p.Size != size)) throw new PluginException("dataset shards hold fields of different sizes");
        return new FieldPairs(list.Sum(p => p.Count), size, list.SelectMany(p => p.Inputs).ToArray(), list.SelectMany(p => p.Targets).ToArray());
    }
}
