using System.Globalization;
using Recipes.Hashing;

namespace Recipes.Graph;

/// <summary>How a node's seed derives from the recipe's seed and its canonical spec (without the seed member).</summary>
public static class NodeSeed
{
    /// <summary>The spec member that holds the seed of a plug-in that draws random numbers.</summary>
    public const string Member = "seed";

    public static ulong Derive(long recipeSeed, IReadOnlyList<KeyValuePair<string, string>> sortedSpecMembers) =>
        new KeyBuilder().Add("recipe-seed", recipeSeed.ToString(CultureInfo.InvariantCulture)).AddObject("spec", sortedSpecMembers).BuildSeed();
}
