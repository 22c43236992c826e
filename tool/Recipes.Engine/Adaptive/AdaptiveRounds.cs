using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Hashing;
using Recipes.Plugins;
using Recipes.Recipe;
using Recipes.Sampling;

namespace Recipes.Adaptive;

/// <summary>The planner's side of the adaptive rounds: node names, the pool, and what a round's node sees.</summary>
public static class AdaptiveRounds
{
    public const string Prefix = "select/round-";

    public static string NodeId(int round) => Prefix + round.ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>The round a node id names, or null when it names no round.</summary>
    public static int? RoundOf(string nodeId) =>
        nodeId.StartsWith(Prefix, StringComparison.Ordinal) && int.TryParse(nodeId.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var round) ? round : null;

    public static int Dimensions(RecipeDefinition recipe) => recipe.Space.Axes.Count(a => !a.IsConstant);

    public static SobolSequence Sequence(RecipeDefinition recipe) => new(Dimensions(recipe), recipe.Seed);

    /// <summary>The pool: the Sobol points right after the initial design, the same for every round.</summary>
    public static IEnumerable<int> Pool(AdaptiveSettings adaptive) => Enumerable.Range(adaptive.Initial, adaptive.Pool);

    /// <summary>
    /// Round <paramref name="round"/>'s settings and key: the adaptive settings, the round, the unit points of the samples it
    /// learns from (their results are its inputs) and the pool's points not simulated yet.
    /// </summary>
    public static (ValueMap Settings, List<KeyValuePair<string, string>> Spec) NodeInputs(RecipeDefinition recipe, AdaptiveSettings adaptive,
        StageDefinition stage, int round, IReadOnlyList<Sample> known, IReadOnlyList<KeyValuePair<string, string>> stageParts)
    {
        var sobol = Sequence(recipe);
        var dimensions = Dimensions(recipe);
        JsonArray Row(int index) => new([JsonValue.Create(index), .. SampleGenerator.UnitPoint(sobol, dimensions, index).Select(u => (JsonNode?)JsonValue.Create(u))]);
        var taken = known.Select(s => s.Index).ToHashSet();
        var points = new JsonArray(known.Select(s => (JsonNode?)Row(s.Index)).ToArray());
        var candidates = new JsonArray(Pool(adaptive).Where(i => !taken.Contains(i)).Select(i => (JsonNode?)Row(i)).ToArray());
        var settings = stage.Settings.With("round", JsonValue.Create(round)).With("points", points).With("candidates", candidates);
        var spec = new List<KeyValuePair<string, string>>(stageParts)
        {
            new("round", round.ToString(CultureInfo.InvariantCulture)),
            new("points", CanonicalJson.Serialize(points)),
            new("candidates", CanonicalJson.Serialize(candidates)),
        };
        return (settings, spec);
    }

    /// <summary>One line for <c>status</c>: how many rounds have chosen, what the next round learns from, and what waits for it.</summary>
    public static string Describe(AdaptiveSettings adaptive, Graph.BuildGraph graph, Execution.NodeStates states)
    {
        var rounds = graph.Nodes.Where(n => RoundOf(n.Id) is not null).ToList();
        var chosen = rounds.Count(n => states.IsDone(n.Index));
        if (chosen >= adaptive.Rounds)
            return $"adaptive: all {adaptive.Rounds} rounds have chosen their samples; {graph.Samples.Count} samples (initial {adaptive.Initial} + {adaptive.Rounds} × {adaptive.Batch})";
        var next = chosen + 1;
        var learnsFrom = graph.Samples.Count(s => (s.Origin?.Round ?? 0) < next);
        var after = adaptive.Rounds - next;
        return $"adaptive: {chosen} of {adaptive.Rounds} rounds have chosen; round {next} learns from {learnsFrom} results and picks {adaptive.Batch}"
            + (after > 0 ? $"; {after} more round{(after == 1 ? "" : "s")} and the stages after the sweep are planned as rounds finish" : "; the stages after the sweep follow it");
    }

    /// <summary>
    /// One line for the end of a build: the samples the rounds chose and how many of them were simulated before (an
    /// acquisition that changed still picks points an earlier build simulated; those are cache hits).
    /// </summary>
    public static string Reuse(Execution.BuildResult result)
    {
        var chosen = result.Graph.Nodes.Where(n => n.Sample?.Origin is not null && n.StageName == StageNames.Simulate).ToList();
        var reused = chosen.Count(n => result.States.Status[n.Index] == Execution.NodeStatus.Cached);
        var rounds = result.Graph.Nodes.Count(n => RoundOf(n.Id) is not null);
        return $"adaptive: {rounds} round{(rounds == 1 ? "" : "s")} chose {chosen.Count} samples; {reused} of them were simulated before (cache hits), {chosen.Count(n => result.States.Status[n.Index] == Execution.NodeStatus.Executed)} new";
    }

    /// <summary>The samples a selection adds, drawn at their pool indices and marked with their round and score.</summary>
    public static IEnumerable<Sample> SamplesOf(RecipeDefinition recipe, AdaptiveSelection selection, SobolSequence sobol) =>
        selection.Picks.Select(p => SampleGenerator.At(recipe.Space, recipe.Seed, recipe.Constants, recipe.Derive, p.Index, sobol) with
        {
            Origin = new SampleOrigin(selection.Round, p.Score),
        });
}
