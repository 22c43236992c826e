using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.FileSystemGlobbing;
using Recipes.Plugins;

namespace Recipes.Solvers.Exec;

/// <summary>
/// <c>train: { model: exec }</c> and <c>evaluate: { evaluator: exec }</c>: your own training or evaluation script as a
/// node, with the exec solver's sandbox, timeouts, retries, identity and NaN rules (<see cref="ExecCommands"/>). The
/// commands run in a fresh directory holding the files <c>inputs</c> names (the script and its modules, hashed into the
/// key by content), <c>dataset/</c> (the dataset's files; <c>dataset/shard-NNNN/</c> when there are several shards) and,
/// for an evaluator or a target that needs another, <c>model/</c> (the train node's outputs). What the commands write
/// under <c>output/</c> is the node's output; an <c>output/metrics.json</c> object becomes its metrics (runs, diff,
/// report). Environment: RECIPES_DATASET, RECIPES_MODEL, RECIPES_OUTPUT, RECIPES_SETTINGS (a JSON file of
/// <c>params</c>), RECIPES_PARAM_NAME for each scalar of <c>params</c>, RECIPES_SEED, RECIPES_THREADS, RECIPES_DEVICE.
/// </summary>
public sealed class ExecTraining : StagePlugin, IDeclaresInputFiles
{
    public ExecTraining(string stage) => Stage = stage;

    public override string Name => "exec";
    public override string Stage { get; }
    public override int Version => 1;
    public override bool UsesSeed => true;

    public override string Summary => Stage == StageNames.Train
        ? "Your own training command (PyTorch, JAX, ...) in a sandbox with the dataset; what it writes to output/ is the model, output/metrics.json its metrics."
        : "Your own evaluation command in a sandbox with the dataset and the trained model; output/metrics.json holds its metrics.";

    /// <summary>The largest metrics.json read: metrics are a few numbers, not a data file.</summary>
    public const int MaxMetricsBytes = 1 << 20;

    public const string MetricsFile = "metrics.json";
    public const string OutputFolder = "output";
    public const string DatasetFolder = "dataset";
    public const string ModelFolder = "model";

    private static readonly Setting<int> Gpus = Settings.Int("gpus", "GPUs the command uses: the node holds that many GPU slots while it runs, so two GPU trainings do not share one device.", 0, min: 0, max: 16);

    /// <summary>The shared exec settings this stage reads (through <see cref="ExecCommands"/>).</summary>
    private static readonly ExecSettings Exec = ExecSettings.Shared;

    private static readonly Setting<IReadOnlyList<string>?> Inputs = Settings.OptionalTexts("inputs", "Globs of the files the command runs (the script and its modules), relative to the recipe file that names them; they are copied into the sandbox at the same relative paths and enter the key by content.");
    private static readonly Setting<JsonObject?> Params = Settings.OptionalObject("params", "Settings for your script (learning rate, width...): written to $RECIPES_SETTINGS as JSON and as RECIPES_PARAM_NAME variables; a sweep varies them as params.NAME.");

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        .. ExecCommands.Options(outputsRequired: false).Select(o => o.Name == "outputs"
            ? o with { Description = "Globs, relative to output/, of the files to keep (default: everything the command wrote there)." }
            : o),
        Inputs,
        Params,
        Gpus,
    ];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        foreach (var problem in ExecCommands.Validate(settings)) yield return problem;
        foreach (var glob in Inputs.Read(settings) ?? [])
            if (SandboxPaths.Check(glob) is { } problem) yield return new OptionProblem(Inputs.Name, problem);
        if (settings.GetBool("online", false))
            yield return new OptionProblem("online", "an exec command reads its whole dataset when it starts; remove online: true");
        if (Params.Read(settings) is { } map)
            foreach (var (name, value) in map)
                if (value is not JsonValue)
                    yield return new OptionProblem(Params.Name, $"{name} is a {(value is JsonArray ? "list" : value is null ? "null" : "mapping")}; give it a single value (sweep it under sweep: params.{name}: [...])");
    }

    public override NodeResources GetResources(ValueMap settings) => new(1, Gpus.Read(settings));

    public override string? Identity(ValueMap settings, string recipeDirectory) => ExecCommands.Identity(settings, recipeDirectory);

    public IReadOnlyList<(string Name, string FullPath)> InputFiles(ValueMap settings, string directory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var glob in Inputs.Read(settings) ?? [])
        {
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(glob);
            var matched = matcher.GetResultsInFullPath(directory).ToList();
            if (matched.Count == 0)
                throw new PluginException($"inputs: '{glob}' matches no file in {directory}; the script must exist next to the recipe that names it");
            foreach (var file in matched)
            {
                var name = Path.GetRelativePath(directory, file).Replace('\\', '/');
                if (!Plugins.Files.RealPath.IsInside(directory, file))
                    throw new PluginException($"inputs: '{name}' leads out of {directory} through a symbolic link; copy the file in instead");
                if (name.Split('/')[0] is DatasetFolder or ModelFolder or OutputFolder)
                    throw new PluginException($"inputs: '{name}' would be hidden by the sandbox's {name.Split('/')[0]}/ folder; move it");
                files[name] = file;
            }
        }
        return files.Select(f => (f.Key, f.Value)).ToList();
    }

    public override async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        // A node that starts when its inputs are done gets them all here (online training is refused in Validate).
        var upstream = context.Upstream;
        var shards = upstream.Where(u => u.Stage == StageNames.Dataset).ToList();
        var models = upstream.Where(u => u.Stage == StageNames.Train).ToList();
        var parameters = Params.Read(context.Settings) ?? [];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RECIPES_DEVICE"] = context.Device.ToString().ToLowerInvariant(),
        };
        foreach (var (name, value) in parameters)
            if (value is JsonValue v) environment["RECIPES_PARAM_" + name.ToUpperInvariant()] = v.TryGetValue(out string? text) ? text : v.ToJsonString();

        await ExecCommands.RunAsync(context, async sandbox =>
        {
            var scripts = upstream.Where(u => u.Stage == UpstreamArtifacts.FilesEntry).SelectMany(u => u.Files);
            await ExecCommands.CopyIn(scripts, sandbox);
            foreach (var shard in shards)
                await ExecCommands.CopyIn(shard.Files, sandbox, shards.Count == 1 ? $"{DatasetFolder}/" : $"{DatasetFolder}/{Path.GetFileName(shard.NodeId)}/");
            foreach (var model in models) await ExecCommands.CopyIn(model.Files, sandbox, $"{ModelFolder}/");
            Directory.CreateDirectory(Path.Combine(sandbox, OutputFolder));
            var settingsPath = Path.Combine(sandbox, "settings.json");
            await File.WriteAllTextAsync(settingsPath, parameters.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
            environment["RECIPES_DATASET"] = Path.Combine(sandbox, DatasetFolder);
            environment["RECIPES_MODEL"] = Path.Combine(sandbox, ModelFolder);
            environment["RECIPES_OUTPUT"] = Path.Combine(sandbox, OutputFolder);
            environment["RECIPES_SETTINGS"] = settingsPath;
        }, environment, sandbox =>
        {
            var output = Path.Combine(sandbox, OutputFolder);
            ExecCommands.CollectOutputs(context, output, ["**/*"]);
            var metrics = Path.Combine(output, MetricsFile);
            if (File.Exists(metrics)) ReadMetrics(metrics, context.Metrics);
        }, cancellationToken);
    }

    /// <summary>
    /// The command's <c>metrics.json</c>: one JSON object of at most <see cref="MaxMetricsBytes"/>, its numbers finite
    /// (JSON has no NaN; Python's json.dump writes one for a diverged loss, and that fails the node here, naming the file).
    /// </summary>
    public static void ReadMetrics(string path, IDictionary<string, JsonNode?> metrics)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || (info.Attributes & FileAttributes.Directory) != 0)
            throw new PluginException($"{OutputFolder}/{MetricsFile} is not a regular file");
        if (info.Length > MaxMetricsBytes)
            throw new PluginException($"{OutputFolder}/{MetricsFile} is {info.Length} bytes; metrics are at most {MaxMetricsBytes} bytes of JSON (write data files beside it)");
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(File.ReadAllText(path, Encoding.UTF8), documentOptions: new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new PluginException($"{OutputFolder}/{MetricsFile} is not valid JSON (line {e.LineNumber + 1}: {e.Message.Split('.')[0]}); NaN and Infinity are not JSON numbers, so a diverged loss lands here too");
        }
        if (parsed is not JsonObject values)
            throw new PluginException($"{OutputFolder}/{MetricsFile} holds {(parsed is null ? "null" : parsed.GetValueKind().ToString().ToLowerInvariant())}; write one JSON object of named numbers, e.g. {{\"loss\": 0.01}}");
        foreach (var (name, value) in values)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl))
                throw new PluginException($"{OutputFolder}/{MetricsFile}: a metric name is empty or holds a control character; name metrics with printable text");
            if (NonFinite(value) is { } number)
                throw new PluginException($"{OutputFolder}/{MetricsFile}: '{name}' holds {number}, not a finite number (a diverged training?)");
            metrics[name] = value?.DeepClone();
        }
    }

    /// <summary>The first number in <paramref name="node"/> that is not a finite double (1e999 parses as JSON, then overflows), or null.</summary>
    private static string? NonFinite(JsonNode? node) => node switch
    {
        JsonObject o => o.Select(p => NonFinite(p.Value)).FirstOrDefault(n => n is not null),
        JsonArray a => a.Select(NonFinite).FirstOrDefault(n => n is not null),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.TryGetValue(out double d) && double.IsFinite(d) ? null : v.ToJsonString(),
        _ => null,
    };
}
