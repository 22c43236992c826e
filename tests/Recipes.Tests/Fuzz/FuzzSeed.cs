using CsCheck;

namespace Recipes.Tests.Fuzz;

/// <summary>A fixed CsCheck seed per target, derived from its name: CI draws the same cases every run, and two targets never the same ones.</summary>
public static class FuzzSeed
{
    public static string For(string target)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in target) hash = (hash ^ c) * 1099511628211UL;
        return new PCG((uint)(hash >> 40) & 0xFFFFFF, hash).ToString();
    }
}
