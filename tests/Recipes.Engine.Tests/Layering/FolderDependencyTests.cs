using System.Reflection;
using System.Reflection.Emit;
using Recipes.Cache;

namespace Recipes.Engine.Tests.Layering;

/// <summary>
/// The engine's folders (one namespace each) and which of them use each other. A pair that depends on each other both
/// ways cannot be understood, tested or moved apart alone; the pairs that remain are listed here with the reason each
/// stays, and a new one fails this test until it is untangled or explained. Read from the compiled engine: every type
/// a folder's types name in their signatures, fields or method bodies.
/// </summary>
public sealed class FolderDependencyTests
{
    /// <summary>Two-way pairs that stay, each with why (alphabetical within a pair).</summary>
    private static readonly Dictionary<(string, string), string> Explained = new()
    {
        [("Adaptive", "Graph")] = "the planner plans an adaptive sampler's rounds up to its frontier (GraphPlanner uses AdaptiveFrontier) and an adaptive build replans from the graph it built (AdaptiveBuild uses BuildGraph): one feature whose two halves are planning and choosing",
        [("Adaptive", "Recipe")] = "the recipe holds the adaptive sampler's typed settings (RecipeDefinition uses AdaptiveSettings) and expanding a round reads the recipe (AdaptiveExpansion uses RecipeDefinition); the settings could move to Recipe at the cost of splitting the feature's vocabulary",
        [("Cache", "Execution")] = "a cache bundle exports and imports a build's node states (CacheBundle uses NodeStates) and the engine runs against the cache (BuildEngine uses CacheStore); bundles belong with the cache's formats",
        [("Cache", "Graph")] = "a cache bundle names the graph it was built from (CacheBundle uses BuildGraph) and action keys are computed from the outputs a node's inputs left in the cache (ActionKeys uses OutputFile, the cache's record of one output)",
        [("Cluster", "Execution")] = "the Slurm executor is an executor (SlurmExecutor uses INodeExecutor) and a build's summary carries its packing figures (BuildSummary uses SlurmStats), printed with the rest of the summary",
        [("Execution", "Recipe")] = "the engine builds a recipe (BuildEngine uses RecipeDefinition) and the recipe's execution block names an executor kind (ExecutionSettings uses ExecutorKind), read where the recipe is loaded",
        [("Execution", "Reporting")] = "the engine reports to an interface (BuildEngine uses IBuildReporter) whose events carry node results (CompositeReporter uses NodeResult); the interface and the results are one contract",
        [("Graph", "Sampling")] = "nodes carry their sample (BuildGraph uses Sample) and a sample's identity is the hash of its node's parameters (SampleIdentity uses GraphNode)",
        [("Graph", "Targets")] = "graph listings name a node's training target (GraphFormatter uses TargetRef) and selecting targets (build --target) cuts the planned graph (TargetSelection uses BuildGraph)",
        [("Recipe", "Targets")] = "the recipe holds its training targets (RecipeDefinition uses TrainingTarget) and a target's sweep points are stage definitions with settings overridden (SweepPoint uses StageDefinition)",
    };

    [Fact]
    public void EveryFolderPairThatDependsBothWaysIsExplained()
    {
        var uses = FolderUses(typeof(CacheStore).Assembly);
        var twoWay = uses.SelectMany(p => p.Value.Keys.Where(b => string.CompareOrdinal(p.Key, b) < 0 && uses.TryGetValue(b, out var back) && back.ContainsKey(p.Key)).Select(b => (p.Key, b))).ToHashSet();

        var unexplained = twoWay.Where(pair => !Explained.ContainsKey(pair))
            .Select(p => $"{p.Item1} <-> {p.Item2} ({uses[p.Item1][p.Item2]}; {uses[p.Item2][p.Item1]})").ToList();
        Assert.True(unexplained.Count == 0, "folders that depend on each other both ways, untangle them or explain why here: " + string.Join(", ", unexplained));
        // An explained pair that is gone (untangled) is taken off the list, so the list stays true.
        var stale = Explained.Keys.Where(pair => !twoWay.Contains(pair)).Select(p => $"{p.Item1} <-> {p.Item2}").ToList();
        Assert.True(stale.Count == 0, "no longer two-way, remove from the list: " + string.Join(", ", stale));
    }

    [Fact]
    public void TheReaderSeesUsesInSignaturesAndInMethodBodies()
    {
        var uses = FolderUses(typeof(CacheStore).Assembly);
        // The engine runs against the cache; the scheduler below it is pure and names nothing of the other folders.
        Assert.Contains("Cache", uses["Execution"].Keys);
        Assert.Empty(uses["Scheduling"]);
    }

    /// <summary>Folder (the namespace under <c>Recipes.</c>) → the other folders its types use, each with one example use.</summary>
    private static Dictionary<string, SortedDictionary<string, string>> FolderUses(Assembly assembly)
    {
        var uses = new Dictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            if (FolderOf(type) is not { } folder) continue;
            if (!uses.TryGetValue(folder, out var set)) uses[folder] = set = new SortedDictionary<string, string>(StringComparer.Ordinal);
            void Use(Type? used)
            {
                if (used is null) return;
                if (used.HasElementType) Use(used.GetElementType());
                if (used.IsGenericType && !used.IsGenericTypeDefinition)
                    foreach (var argument in used.GetGenericArguments()) Use(argument);
                if (used.Assembly == assembly && !used.IsGenericParameter && FolderOf(used) is { } other && other != folder)
                    set.TryAdd(other, $"{Outermost(type).Name} uses {Outermost(used).Name}");
            }
            Use(type.BaseType);
            foreach (var i in type.GetInterfaces()) Use(i);
            foreach (var field in type.GetFields(all)) Use(field.FieldType);
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (method is MethodInfo m) Use(m.ReturnType);
                foreach (var p in method.GetParameters()) Use(p.ParameterType);
                if (method.GetMethodBody() is not { } body) continue;
                foreach (var local in body.LocalVariables) Use(local.LocalType);
                foreach (var member in Tokens(body.GetILAsByteArray() ?? [], method.Module, type, method))
                    Use(member as Type ?? member.DeclaringType);
            }
        }
        return uses;
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer) type = outer;
        return type;
    }

    /// <summary>The engine's folder of a type: the namespace part after <c>Recipes.</c>, for nested types their outermost type's.</summary>
    private static string? FolderOf(Type type)
    {
        var ns = Outermost(type).Namespace;
        if (ns is null || !ns.StartsWith("Recipes.", StringComparison.Ordinal)) return null;
        var rest = ns["Recipes.".Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types, methods and fields a method body's instructions name (calls, allocations, casts, field access, ldtoken).</summary>
    private static IEnumerable<MemberInfo> Tokens(byte[] il, Module module, Type type, MethodBase method)
    {
        var typeArguments = type.IsGenericType ? type.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at++];
            if (value == 0xFE) value = (short)(0xFE00 | il[at++]);
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, at);
                    MemberInfo? member = null;
                    try { member = module.ResolveMember(token, typeArguments, methodArguments); }
                    catch (ArgumentException) { }
                    if (member is not null) yield return member;
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                default:
                    at += 4;
                    break;
            }
        }
    }
}
