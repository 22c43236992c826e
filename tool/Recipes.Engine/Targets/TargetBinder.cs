using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recipes.Diagnostics;
using Recipes.Documents;
using Recipes.Hashing;
using Recipes.Plugins;
using Recipes.Recipe;
using Recipes.Schema;

namespace Recipes.Targets;

/// <summary>
/// <c>targets:</c> → <see cref="TrainingTarget"/>s, every problem reported with its file:line:col: a sweep axis the
/// model has no setting for, a value of the wrong type, a need that names no target or forms a cycle. The schema has
/// checked the shapes; this checks what depends on the chosen model and on the other targets.
/// </summary>
public sealed partial class TargetBinder(RecipeSchema schema)
{
    /// <summary>Sweeps are for a handful to a few hundred trainings; a typo in a list should not plan a million.</summary>
    public const int MaxPoints = 1000;

    public IReadOnlyList<TrainingTarget> Bind(DocMapping targets, IReadOnlyList<StageDefinition> stages, DiagnosticBag diagnostics)
    {
        if (!stages.Any(s => s.Stage == StageNames.Dataset))
        {
            diagnostics.Error(targets.Location, "targets train on the dataset; add stages.dataset");
            return [];
        }
        var bound = new List<TrainingTarget>();
        foreach (var entry in targets.Entries)
        {
            if (entry.Value is not DocMapping map) continue;
            if (entry.Name == TrainingTarget.DefaultName)
            {
                diagnostics.Error(entry.Key.Location, $"targets.{entry.Name}: '{TrainingTarget.DefaultName}' names the target of stages.train; choose another name");
                continue;
            }
            if (Bind(entry, map, diagnostics) is { } target) bound.Add(target);
        }
        return Ordered(bound, targets, diagnostics);
    }

    private TrainingTarget? Bind(DocEntry entry, DocMapping map, DiagnosticBag diagnostics)
    {
        var name = entry.Name;
        var path = $"{RecipeSchema.TargetsKey}.{name}";
        if (map[StageNames.Train] is not DocMapping trainMap) return null;
        var trainPlugin = schema.Stages[StageNames.Train].Resolve(trainMap, $"{path}.train", diagnostics);
        var evaluateMap = map[StageNames.Evaluate] as DocMapping;
        var evaluatePlugin = evaluateMap is null ? null : schema.Stages[StageNames.Evaluate].Resolve(evaluateMap, $"{path}.evaluate", diagnostics);
        if (trainPlugin is null || (evaluateMap is not null && evaluatePlugin is null)) return null;
        var train = RecipeLoader.BindStage(StageNames.Train, trainPlugin, trainMap, map.Entry(StageNames.Train)!.Key.Location, diagnostics, $"{path}.train");
        var evaluate = evaluateMap is null ? null
            : RecipeLoader.BindStage(StageNames.Evaluate, evaluatePlugin!, evaluateMap, map.Entry(StageNames.Evaluate)!.Key.Location, diagnostics, $"{path}.evaluate");

        var axes = new List<(string Written, string Stage, string Setting, DocSequence Values)>();
        if (map["sweep"] is DocMapping sweep)
        {
            foreach (var axis in sweep.Entries)
            {
                if (axis.Value is not DocSequence values) continue;
                var (stage, setting) = axis.Name.StartsWith("evaluate.", StringComparison.Ordinal) ? (StageNames.Evaluate, axis.Name["evaluate.".Length..])
                    : axis.Name.StartsWith("train.", StringComparison.Ordinal) ? (StageNames.Train, axis.Name["train.".Length..])
                    : (StageNames.Train, axis.Name);
                var definition = stage == StageNames.Train ? train : evaluate;
                if (definition is null)
                {
                    diagnostics.Error(axis.Key.Location, $"{path}.sweep.{axis.Name}: the target has no evaluate stage to sweep; add {path}.evaluate");
                    continue;
                }
                var options = definition.Plugin.Options.Where(o => o.Name != StageNames.SelectorKey(stage)).ToList();
                var parts = setting.Split('.', 2);
                var option = options.FirstOrDefault(o => o.Name == parts[0]);
                if (option is null)
                {
                    diagnostics.Error(axis.Key.Location, $"{path}.sweep.{axis.Name}: the {StageNames.SelectorKey(stage)} '{definition.Plugin.Name}' has no setting '{parts[0]}'{Suggestions.DidYouMean(parts[0], options.Select(o => o.Name))}; sweep one of its settings (recipes schema lists them)");
                    continue;
                }
                if (parts.Length == 2 && option.Type != OptionType.Mapping)
                {
                    diagnostics.Error(axis.Key.Location, $"{path}.sweep.{axis.Name}: '{parts[0]}' is not a mapping of named values; sweep {parts[0]} itself");
                    continue;
                }
                var typed = parts.Length == 2 ? new ScalarSchema(ScalarKind.Any) : OptionSchemas.For(option);
                var before = diagnostics.Items.Count;
                foreach (var value in values.Items)
                {
                    typed.Validate(value, $"{path}.sweep.{axis.Name}", diagnostics);
                    if (value is DocScalar scalar && !SafeLabel().IsMatch(LabelOf(DocValues.ToJson(scalar))))
                        diagnostics.Error(value.Location, $"{path}.sweep.{axis.Name}: '{scalar.Text}' names the point's folder under out/; use letters, digits, '.', '_', '+' and '-'");
                    else if (value is not DocScalar)
                        diagnostics.Error(value.Location, $"{path}.sweep.{axis.Name}: a sweep tries single values; write each value as one item of the list");
                }
                var distinct = values.Items.OfType<DocScalar>().Select(v => LabelOf(DocValues.ToJson(v))).ToList();
                if (distinct.Distinct(StringComparer.Ordinal).Count() != distinct.Count)
                    diagnostics.Error(values.Location, $"{path}.sweep.{axis.Name}: a value appears twice; list each value once");
                if (axes.Any(a => a.Stage == stage && a.Setting == setting))
                    diagnostics.Error(axis.Key.Location, $"{path}.sweep: {setting} is swept twice; keep one list");
                if (diagnostics.Items.Count == before) axes.Add((axis.Name, stage, setting, values));
            }
        }

        var count = axes.Aggregate(1L, (n, a) => Math.Min(n * a.Values.Items.Count, long.MaxValue / 1024));
        if (count > MaxPoints)
        {
            diagnostics.Error(map["sweep"]!.Location, $"{path}.sweep has {count} points; at most {MaxPoints} (fewer values, or several targets)");
            return null;
        }
        var points = new List<SweepPoint>();
        foreach (var combination in Combinations(axes.Select(a => a.Values.Items.Count).ToList()))
        {
            var values = new List<KeyValuePair<string, JsonNode?>>();
            var (trainSettings, evaluateSettings) = (train.Settings, evaluate?.Settings);
            for (var k = 0; k < axes.Count; k++)
            {
                var valueNode = axes[k].Values.Items[combination[k]];
                var value = DocValues.ToJson(valueNode);
                values.Add(new(axes[k].Written, value));
                if (axes[k].Stage == StageNames.Train) trainSettings = With(trainSettings, axes[k].Setting, value);
                else evaluateSettings = With(evaluateSettings!, axes[k].Setting, value);
            }
            var label = string.Join(",", values.Select(v => $"{v.Key}={LabelOf(v.Value)}"));
            var pointTrain = Point(train, trainSettings, axes, combination, StageNames.Train, path, label, diagnostics);
            var pointEvaluate = evaluate is null ? null : Point(evaluate, evaluateSettings!, axes, combination, StageNames.Evaluate, path, label, diagnostics);
            points.Add(new SweepPoint { Label = label, Values = values, Train = pointTrain, Evaluate = pointEvaluate });
        }

        TargetMetric? metric = null;
        if (map["metric"] is DocScalar { IsNull: false } metricNode)
        {
            var text = metricNode.Text;
            metric = text.StartsWith("train.", StringComparison.Ordinal) ? new TargetMetric(StageNames.Train, text["train.".Length..])
                : text.StartsWith("evaluate.", StringComparison.Ordinal) ? new TargetMetric(StageNames.Evaluate, text["evaluate.".Length..])
                : new TargetMetric(evaluate is null ? StageNames.Train : StageNames.Evaluate, text);
            if (metric.Stage == StageNames.Evaluate && evaluate is null)
                diagnostics.Error(metricNode.Location, $"{path}.metric: '{text}' is an evaluation metric and the target has no evaluate stage; add one or name train.METRIC");
            if (metric.Name.Length == 0)
                diagnostics.Error(metricNode.Location, $"{path}.metric: name a metric, e.g. rollout_mse or train.final_loss");
        }

        return new TrainingTarget
        {
            Name = name,
            Needs = map["needs"] is DocScalar { IsNull: false } needs ? needs.Text : null,
            Points = points,
            Axes = axes.Select(a => a.Written).ToList(),
            Metric = metric,
            Maximize = map["goal"] is DocScalar { Text: "maximize" },
            Location = entry.Key.Location,
        };
    }

    /// <summary>A point's stage: the target's with the point's values, checked by the implementation as a whole (a combination may be invalid where each value is not).</summary>
    private static StageDefinition Point(StageDefinition stage, ValueMap settings, List<(string Written, string Stage, string Setting, DocSequence Values)> axes,
        int[] combination, string stageName, string path, string label, DiagnosticBag diagnostics)
    {
        if (ReferenceEquals(settings, stage.Settings)) return stage;
        try
        {
            foreach (var problem in stage.Plugin.Validate(settings))
            {
                var k = axes.FindIndex(a => a.Stage == stageName && a.Setting == problem.Option);
                var at = k >= 0 ? axes[k].Values.Items[combination[k]].Location : stage.Location;
                diagnostics.Error(at, $"{path}.{stageName}.{problem.Option} at the point {label}: {problem.Message}");
            }
        }
        catch (PluginException) when (diagnostics.HasErrors)
        {
            // A value of the wrong type, already reported.
        }
        return new StageDefinition
        {
            Stage = stage.Stage,
            Plugin = stage.Plugin,
            Settings = settings,
            Materialize = stage.Materialize,
            Threads = stage.Threads,
            Device = stage.Device,
            Location = stage.Location,
            BaseDirectory = stage.BaseDirectory,
        };
    }

    /// <summary>A setting with a point's value; <c>params.lr</c> sets one entry of the mapping <c>params</c>.</summary>
    private static ValueMap With(ValueMap settings, string setting, JsonNode? value)
    {
        var parts = setting.Split('.', 2);
        if (parts.Length == 1) return settings.With(setting, value?.DeepClone());
        var map = settings.TryGet(parts[0], out var existing) && existing is JsonObject o ? (JsonObject)o.DeepClone() : [];
        map[parts[1]] = value?.DeepClone();
        return settings.With(parts[0], map);
    }

    /// <summary>Every combination of indices, the last axis varying fastest (the order the sweep reads).</summary>
    private static IEnumerable<int[]> Combinations(IReadOnlyList<int> counts)
    {
        var current = new int[counts.Count];
        while (true)
        {
            yield return (int[])current.Clone();
            var k = counts.Count - 1;
            while (k >= 0 && ++current[k] == counts[k]) current[k--] = 0;
            if (k < 0) yield break;
        }
    }

    /// <summary>A value as it appears in a point's label: canonical JSON numbers (1e-3 → 0.001), strings without quotes.</summary>
    public static string LabelOf(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out string? text) ? text : CanonicalJson.Serialize(value);

    [GeneratedRegex("^[A-Za-z0-9._+-]{1,64}$")]
    private static partial Regex SafeLabel();

    /// <summary>Targets after the ones they need; an unknown need or a cycle is an error at the <c>needs:</c> that closes it.</summary>
    private static List<TrainingTarget> Ordered(List<TrainingTarget> targets, DocMapping map, DiagnosticBag diagnostics)
    {
        var byName = targets.ToDictionary(t => t.Name, StringComparer.Ordinal);
        SourceLocation NeedsAt(TrainingTarget t) => (map[t.Name] as DocMapping)?["needs"]?.Location ?? t.Location;
        var ordered = new List<TrainingTarget>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var target in targets) Visit(target, []);
        return ordered;

        void Visit(TrainingTarget target, List<string> chain)
        {
            if (state.TryGetValue(target.Name, out var s))
            {
                if (s == 1)
                    diagnostics.Error(NeedsAt(target), $"targets form a cycle: {string.Join(" -> ", chain.SkipWhile(c => c != target.Name).Append(target.Name))}; one of them must train on the dataset alone");
                return;
            }
            state[target.Name] = 1;
            chain.Add(target.Name);
            if (target.Needs is { } needs)
            {
                if (!byName.TryGetValue(needs, out var upstream))
                    diagnostics.Error(NeedsAt(target), $"targets.{target.Name}.needs: no target '{needs}'{Suggestions.DidYouMean(needs, byName.Keys)}; name a target of this recipe");
                else if (upstream.IsSwept)
                    diagnostics.Error(NeedsAt(target), $"targets.{target.Name}.needs: '{needs}' is swept ({upstream.Points.Count} points), so it names no single model; take the point you want into a target of its own");
                else Visit(upstream, chain);
            }
            chain.RemoveAt(chain.Count - 1);
            state[target.Name] = 2;
            ordered.Add(target);
        }
    }
}
