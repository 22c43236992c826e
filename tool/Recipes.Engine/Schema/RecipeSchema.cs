using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Registry;

namespace Recipes.Schema;

/// <summary>The recipe language: every key a recipe may use, with its type and meaning.</summary>
public sealed class RecipeSchema
{
    public const string NamePattern = "^[a-z0-9][a-z0-9._-]{0,99}$";
    public const string IdentifierPattern = "^[A-Za-z][A-Za-z0-9_]*$";

    public static readonly string[] Samplers = ["grid", "random", "sobol", "latin-hypercube", "adaptive"];
    public static readonly string[] ValueKinds = ["constant", "int", "uniform", "log_uniform", "normal", "choice", "linked"];

    public RecipeSchema(PluginRegistry registry)
    {
        Stages = StageNames.All.ToDictionary(s => s, s => new StageSchema(s, registry) { Description = StageDescription(s) });
        Root = BuildRoot();
        Fragment = new MappingSchema { Properties = Root.Properties, Description = Root.Description };
    }

    /// <summary>A recipe: what <c>build</c> runs (it must be named).</summary>
    public MappingSchema Root { get; }

    /// <summary>
    /// A file without <c>recipe:</c> is a fragment that recipes <c>include:</c>: every key it has is checked as in a
    /// recipe, but nothing is required. The JSON Schema is this one, since an editor cannot tell the two apart.
    /// </summary>
    public MappingSchema Fragment { get; }

    public const string NameKey = "recipe";
    public IReadOnlyDictionary<string, StageSchema> Stages { get; }

    private MappingSchema BuildRoot()
    {
        var number = new ScalarSchema(ScalarKind.Number);
        var pair = new ListSchema(number) { MinItems = 2, MaxItems = 2 };
        var parameterValue = new ChoiceSchema(
            scalar: new ScalarSchema(ScalarKind.Any) { Description = "A constant." },
            list: new ListSchema(new ScalarSchema(ScalarKind.Any)) { MinItems = 1, Description = "Shorthand for choice." },
            mapping: new MappingSchema
            {
                Properties =
                [
                    ("constant", new AnySchema { Description = "The same value for every sample." }),
                    ("int", new ListSchema(new ScalarSchema(ScalarKind.Integer)) { MinItems = 2, MaxItems = 2, Description = "Integers from low to high, both included: [1, 5]." }),
                    ("uniform", pair.WithDescription("Real numbers uniform in [low, high].")),
                    ("log_uniform", pair.WithDescription("Positive reals whose logarithm is uniform in [log low, log high].")),
                    ("normal", pair.WithDescription("Normal distribution [mean, standard deviation].")),
                    ("choice", new ListSchema(new ScalarSchema(ScalarKind.Any)) { MinItems = 1, Description = "One of the listed values." }),
                    ("linked", new MappingSchema
                    {
                        Values = new ListSchema(new ScalarSchema(ScalarKind.Any)) { MinItems = 1 },
                        KeyPattern = IdentifierPattern,
                        KeyNoun = "parameter",
                        AllowEmpty = false,
                        Description = "Zipped lists of equal length: entry i of every list goes together; the group is one axis.",
                    }),
                    ("steps", new ScalarSchema(ScalarKind.Integer) { Minimum = 2, Description = "Grid sampler only: evenly spaced points of a continuous range." }),
                ],
                ExactlyOneOf = ValueKinds,
                Description = "A parameter: constant, int, uniform, log_uniform, normal, choice or linked.",
            })
        { Description = "A sampled parameter." };

        var stagesProperties = StageNames.All.Select(s => (s, (SchemaNode)Stages[s])).ToList();

        return new MappingSchema
        {
            Description = "A Recipes recipe: a base case, a parameter space and the stages that turn samples into data and models.",
            Required = new HashSet<string> { NameKey },
            Properties =
            [
                ("recipe", new ScalarSchema(ScalarKind.String) { Pattern = NamePattern, PatternHint = "use at most 100 lower-case letters, digits, '.', '_' and '-', starting with a letter or digit", Description = "The recipe's name; outputs go to out/<recipe>/." }),
                ("description", new ScalarSchema(ScalarKind.String) { Description = "Free text." }),
                ("seed", new ScalarSchema(ScalarKind.Integer) { Minimum = 0, Description = "Root of every random draw (sampling and node seeds). Default 0." }),
                ("include", new ChoiceSchema(scalar: new ScalarSchema(ScalarKind.String), list: new ListSchema(new ScalarSchema(ScalarKind.String))) { Description = "Other YAML files merged under this one (this file wins)." }),
                ("base_case", new MappingSchema
                {
                    Description = "The simulator's input files and constants.",
                    Properties =
                    [
                        ("dir", new ScalarSchema(ScalarKind.String) { Description = "Directory of input files, relative to the recipe; templates are rendered per sample, other files copied." }),
                        ("params", new MappingSchema { Values = new AnySchema(), KeyPattern = IdentifierPattern, KeyNoun = "parameter", Description = "Constants visible to templates and stages." }),
                        ("templates", new ChoiceSchema(scalar: new ScalarSchema(ScalarKind.String), list: new ListSchema(new ScalarSchema(ScalarKind.String))) { Description = "Globs of files to render with Scriban (default: **/*.sbn; the .sbn suffix is dropped)." }),
                    ],
                }),
                ("parameters", new MappingSchema
                {
                    Description = "The parameter space and how it is sampled.",
                    Properties =
                    [
                        ("samples", new ScalarSchema(ScalarKind.Integer) { Minimum = 1, Maximum = Recipe.RecipeLimits.MaxSamples, Description = "How many samples to draw (grid: optional cap)." }),
                        ("sampler", new ScalarSchema(ScalarKind.String) { Enum = Samplers, Description = "grid (every combination), random, sobol (prefix-stable low-discrepancy), latin-hypercube (re-draws when samples changes), adaptive (rounds that simulate where a surrogate is least sure; see adaptive)." }),
                        ("adaptive", AdaptiveSchema()),
                        ("space", new MappingSchema { Values = parameterValue, KeyPattern = IdentifierPattern, KeyNoun = "parameter", AllowEmpty = false, Description = "Parameters by name." }),
                        ("derived", new MappingSchema { Values = new ScalarSchema(ScalarKind.String), KeyPattern = IdentifierPattern, KeyNoun = "parameter", Description = "Values computed per sample by a Scriban expression over the other parameters." }),
                    ],
                }),
                ("stages", new MappingSchema { Properties = stagesProperties, Description = "The pipeline: render, simulate, postprocess, augment (per sample), dataset, train, evaluate." }),
                ("targets", new MappingSchema
                {
                    Values = TargetSchema(),
                    KeyPattern = TargetNamePattern,
                    KeyPatternHint = "at most 64 lower-case letters, digits, '_' and '-', starting with a letter",
                    KeyNoun = "target",
                    AllowEmpty = false,
                    Description = "Named training targets on the dataset, besides the unnamed one of stages.train and stages.evaluate: each a train node and an optional evaluate node; a sweep gives one of each per point.",
                }),
                ("execution", new MappingSchema
                {
                    Description = "How to run (command-line options win).",
                    Properties =
                    [
                        ("jobs", new ScalarSchema(ScalarKind.Integer) { Minimum = 1, Description = "Parallel CPU slots (default: cores)." }),
                        ("device", new ScalarSchema(ScalarKind.String) { Enum = [.. DeviceKinds.Names], Description = "Where ILGPU kernels run." }),
                        ("executor", new ScalarSchema(ScalarKind.String) { Enum = ["local", "slurm"], Description = "Who runs stale nodes." }),
                        ("keep_going", new ScalarSchema(ScalarKind.Boolean) { Description = "Finish independent nodes after a failure." }),
                        ("slurm", SlurmSchema()),
                    ],
                }),
            ],
        };
    }

    public const string TargetNamePattern = "^[a-z][a-z0-9_-]{0,63}$";
    public const string TargetsKey = "targets";
    public static readonly string[] Goals = ["minimize", "maximize"];

    /// <summary>One entry of <c>targets:</c>: its train and evaluate stages, what it needs, its sweep and the metric that ranks points.</summary>
    private MappingSchema TargetSchema() => new()
    {
        Description = "A training target: a model trained on the dataset (or on another target's outputs), evaluated, optionally swept over settings.",
        Required = new HashSet<string> { StageNames.Train },
        Properties =
        [
            (StageNames.Train, Stages[StageNames.Train]),
            (StageNames.Evaluate, Stages[StageNames.Evaluate]),
            ("needs", new ScalarSchema(ScalarKind.String) { Pattern = TargetNamePattern, PatternHint = "name another target of this recipe", Description = "Another target whose train outputs this one trains on (e.g. the autoencoder under a latent denoiser); its train node comes first." }),
            ("sweep", new MappingSchema
            {
                Values = new ListSchema(new ScalarSchema(ScalarKind.Any)) { MinItems = 1, Description = "The values to try." },
                KeyPattern = "^((train|evaluate)\\.)?[a-z][a-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$",
                KeyPatternHint = "a setting of the target's model, evaluate.NAME for one of its evaluator, or params.NAME for an exec script's",
                KeyNoun = "setting",
                AllowEmpty = false,
                Description = "A grid over settings: one train (and evaluate) node per combination, keyed by its own settings, so adding a value trains only the new points.",
            }),
            ("metric", new ScalarSchema(ScalarKind.String) { Description = "The metric that ranks sweep points in runs --targets and the report: NAME of the evaluator's metrics (or train.NAME of the trainer's). Default: the evaluator's first." }),
            ("goal", new ScalarSchema(ScalarKind.String) { Enum = Goals, Description = "Whether the best point has the lowest (minimize, the default) or highest metric." }),
        ],
    };

    /// <summary><c>parameters.adaptive</c>: the adaptive sampler's design, rounds, pool, acquisition and surrogate.</summary>
    private static MappingSchema AdaptiveSchema() => new()
    {
        Description = "The adaptive sampler (sampler: adaptive): an initial Sobol design, then rounds that each fit a surrogate ensemble to the results so far and simulate the pool points it is least sure about.",
        Required = new HashSet<string> { "target" },
        Properties =
        [
            ("initial", new ScalarSchema(ScalarKind.Integer) { Minimum = 2, Maximum = Recipe.RecipeLimits.MaxSamples, Description = "Samples of the initial Sobol design (default 16)." }),
            ("rounds", new ScalarSchema(ScalarKind.Integer) { Minimum = 0, Maximum = 1000, Description = "Rounds after the initial design (default 4); raising it runs only the new rounds." }),
            ("batch", new ScalarSchema(ScalarKind.Integer) { Minimum = 1, Maximum = Recipe.RecipeLimits.MaxSamples, Description = "Samples each round adds (default 8)." }),
            ("pool", new ScalarSchema(ScalarKind.Integer) { Minimum = 1, Maximum = 1_000_000, Description = "Candidate Sobol points after the initial design, shared by every round (default 512)." }),
            ("acquisition", new ScalarSchema(ScalarKind.String) { Enum = [.. Adaptive.Acquisitions.Names], Description = "ensemble-variance (where the surrogates disagree; default), space-filling (farthest from every simulated point), variance-and-distance (both, weighted by distance_weight)." }),
            ("target", new ScalarSchema(ScalarKind.String) { Description = "The number the surrogate learns: a field of each sample's result file." }),
            ("result", new ScalarSchema(ScalarKind.String) { Description = "The JSON file of the last per-sample stage that holds target (default result.json)." }),
            ("members", new ScalarSchema(ScalarKind.Integer) { Minimum = 2, Maximum = 64, Description = "Surrogates in the ensemble (default 8)." }),
            ("features", new ScalarSchema(ScalarKind.Integer) { Minimum = 4, Maximum = 2048, Description = "Random Fourier features per surrogate (default 128)." }),
            ("length_scale", new ScalarSchema(ScalarKind.Number) { Minimum = 0, ExclusiveMinimum = true, Description = "The surrogates' kernel length scale, as a fraction of each parameter's range (default 0.15)." }),
            ("distance_weight", new ScalarSchema(ScalarKind.Number) { Minimum = 0, Description = "Weight of the distance term for variance-and-distance (default 0.5)." }),
        ],
    };

    /// <summary>The executor's <c>execution.slurm</c> block; the same keys may sit in the <c>slurm</c> section of <c>.recipes.json</c>.</summary>
    private static MappingSchema SlurmSchema() => new()
    {
        Description = "How stale nodes go to Slurm with --executor slurm.",
        Properties =
        [
            ("partition", new ScalarSchema(ScalarKind.String) { Description = "sbatch --partition." }),
            ("account", new ScalarSchema(ScalarKind.String) { Description = "sbatch --account." }),
            ("qos", new ScalarSchema(ScalarKind.String) { Description = "sbatch --qos." }),
            ("time", new ScalarSchema(ScalarKind.String) { Description = "Time limit per array task (sbatch --time), default 01:00:00." }),
            ("cpus", new ScalarSchema(ScalarKind.Integer) { Minimum = 1, Description = "CPUs per task (default: the stage's threads)." }),
            ("mem", new ScalarSchema(ScalarKind.String) { Description = "Memory per node of a task, e.g. 4G (sbatch --mem)." }),
            ("gpus", new ScalarSchema(ScalarKind.Integer) { Minimum = 0, Description = "GPUs per task (sbatch --gpus-per-task)." }),
            ("extra", new ListSchema(new ScalarSchema(ScalarKind.String)) { Description = "More sbatch flags, e.g. [--constraint=avx2]." }),
            ("throttle", new ScalarSchema(ScalarKind.Integer) { Minimum = 0, Description = "At most this many tasks of one array at once (--array=0-K%N); 0: no limit." }),
            ("pack_seconds", new ScalarSchema(ScalarKind.Number) { Minimum = 0, Description = "Pack nodes into one task up to this much expected work (default 60 s)." }),
            ("default_seconds", new ScalarSchema(ScalarKind.Number) { Minimum = 0, ExclusiveMinimum = true, Description = "Expected seconds of a node never run before (default 10)." }),
            ("command", new ScalarSchema(ScalarKind.String) { Description = "How a task runs the tool, e.g. 'dotnet tool run recipes'; default: this tool's own path." }),
            ("retries", new ScalarSchema(ScalarKind.Integer) { Minimum = 0, Description = "Resubmissions of a node whose task ended without its result (default 2)." }),
            ("poll_seconds", new ScalarSchema(ScalarKind.Number) { Minimum = 0, ExclusiveMinimum = true, Description = "How often squeue is asked (default 1 s)." }),
        ],
    };

    private static string StageDescription(string stage) => stage switch
    {
        StageNames.Render => "Render base-case templates per sample.",
        StageNames.Simulate => "Run a solver per sample.",
        StageNames.Postprocess => "Turn raw solver output into arrays and images per sample.",
        StageNames.Augment => "Make extra training pairs per sample.",
        StageNames.Dataset => "Pack samples into shards with a train/test split.",
        StageNames.Train => "Train a model on the dataset.",
        _ => "Evaluate the trained model.",
    };

    public JsonObject ToJsonSchema()
    {
        // The fragment's schema: a recipe is a fragment with a name, and editors open both (validate and build
        // report a recipe without its name).
        var schema = Fragment.ToJsonSchema();
        var result = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "recipes-recipe.schema.json",
            ["title"] = "Recipes recipe",
        };
        foreach (var (k, v) in schema) result[k] = v?.DeepClone();
        // Stages that name no implementation mean something else in a file that includes others (see StageSchema).
        JsonObject StagesFor(bool includes)
        {
            var stages = new JsonObject();
            foreach (var (name, stage) in Stages)
                if (stage.UnnamedJsonSchema(includes) is { } rules) stages[name] = rules;
            return new JsonObject { ["properties"] = new JsonObject { ["stages"] = new JsonObject { ["properties"] = stages } } };
        }
        result["if"] = new JsonObject { ["required"] = new JsonArray("include") };
        result["then"] = StagesFor(includes: true);
        result["else"] = StagesFor(includes: false);
        return result;
    }
}
