namespace Recipes.Plugins;

/// <summary>The pipeline's stages in execution order. Per-sample stages get one node per sample.</summary>
public static class StageNames
{
    public const string Render = "render";
    public const string Simulate = "simulate";
    public const string Postprocess = "postprocess";
    public const string Augment = "augment";
    public const string Select = "select";
    public const string Dataset = "dataset";
    public const string Train = "train";
    public const string Evaluate = "evaluate";

    /// <summary>The stages a recipe configures under <c>stages:</c>, in pipeline order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Render, Simulate, Postprocess, Augment, Dataset, Train, Evaluate];

    /// <summary>Every stage a node can belong to, indexed by <see cref="StageKind"/>: <see cref="All"/> and the adaptive sampler's rounds.</summary>
    private static readonly string[] Ordered = [Render, Simulate, Postprocess, Augment, Select, Dataset, Train, Evaluate];

    private static readonly Dictionary<string, StageKind> Kinds =
        Enum.GetValues<StageKind>().ToDictionary(k => Ordered[(int)k], k => k, StringComparer.Ordinal);

    public static bool IsStage(string name) => Kinds.ContainsKey(name);

    public static StageKind KindOf(string name) =>
        Kinds.TryGetValue(name, out var kind) ? kind : throw new ArgumentOutOfRangeException(nameof(name), name, "unknown stage");

    public static string Name(this StageKind kind) => Ordered[(int)kind];

    /// <summary>Orders stage names as the pipeline runs them.</summary>
    public static IComparer<string> PipelineOrder { get; } = Comparer<string>.Create((a, b) => KindOf(a).CompareTo(KindOf(b)));

    public static bool IsPerSample(string stage) =>
        stage is Render or Simulate or Postprocess or Augment;

    /// <summary>The recipe key that names the implementation of a stage (e.g. <c>simulate: { solver: heat2d }</c>).</summary>
    public static string SelectorKey(string stage) => stage switch
    {
        Render => "engine",
        Simulate => "solver",
        Postprocess => "converter",
        Augment => "augmenter",
        Dataset => "format",
        Train => "model",
        Evaluate => "evaluator",
        Select => "selector",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "unknown stage"),
    };
}
