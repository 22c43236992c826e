using Recipes.Diagnostics;
using Recipes.Plugins;
using Recipes.Sampling;

namespace Recipes.Recipe;

/// <summary>A validated recipe: everything the planner needs, with nothing left to check.</summary>
public sealed class RecipeDefinition
{
    public required string Name { get; init; }
    public required string RecipePath { get; init; }
    public string RecipeDirectory => Path.GetDirectoryName(RecipePath)!;
    public string? Description { get; init; }
    public required long Seed { get; init; }
    public BaseCase? BaseCase { get; init; }
    public required ValueMap Constants { get; init; }
    public required ParameterSpace Space { get; init; }
    public required IReadOnlyList<DerivedValue> Derived { get; init; }
    public required IReadOnlyList<StageDefinition> Stages { get; init; }

    /// <summary>The named targets of <c>targets:</c>, each after the targets it needs; empty when there are none.</summary>
    public IReadOnlyList<Targets.TrainingTarget> Targets { get; init; } = [];
    public required ExecutionSettings Execution { get; init; }

    /// <summary><c>parameters.adaptive</c> when the sampler is adaptive, else null.</summary>
    public Adaptive.AdaptiveSettings? Adaptive { get; init; }

    /// <summary>The stage of the adaptive rounds' nodes (engine-made; never under <c>stages:</c>), when the sampler is adaptive.</summary>
    public StageDefinition? SelectStage { get; init; }

    /// <summary>The recipe, its includes and base-case files: what an incremental build system should watch.</summary>
    public required IReadOnlyList<string> SourceFiles { get; init; }

    public required IReadOnlyList<Diagnostic> Warnings { get; init; }

    public StageDefinition? Stage(string name) => Stages.FirstOrDefault(s => s.Stage == name);

    private IReadOnlyList<Sample>? _samples;

    public IReadOnlyList<Sample> Samples => _samples ??= SampleGenerator.Generate(Space, Seed, Constants, Derive);

    public ValueMap Derive(ValueMap parameters)
    {
        foreach (var derived in Derived)
        {
            var value = Templates.TemplateRenderer.Evaluate(derived.Compiled, parameters, derived.Location);
            parameters = parameters.With(derived.Name, Templates.ScriptValues.FromScript(value));
        }
        return parameters;
    }
}
