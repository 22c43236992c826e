using System.Text.Json.Nodes;
using Microsoft.Extensions.FileSystemGlobbing;
using Recipes.Diagnostics;
using Recipes.Documents;
using Recipes.Plugins;
using Recipes.Sampling;
using Recipes.Schema;
using Recipes.Registry;
using Recipes.Templates;

namespace Recipes.Recipe;

/// <summary>
/// YAML → validated <see cref="RecipeDefinition"/>. Every problem is collected first (syntax, schema, meaning,
/// templates, a dry run of the first sample) and reported together as a <see cref="RecipeException"/>.
/// </summary>
public sealed class RecipeLoader
{
    private readonly PluginRegistry _registry;
    private readonly RecipeSchema _schema;

    public RecipeLoader(PluginRegistry registry)
    {
        _registry = registry;
        _schema = new RecipeSchema(registry);
    }

    public RecipeDefinition Load(string recipePath, IReadOnlyList<string>? sets = null) => Load(recipePath, sets, allowFragment: false)!;

    /// <summary>
    /// Loads a recipe; with <paramref name="allowFragment"/>, a file that names no recipe (neither itself nor its
    /// includes) is checked as a fragment instead (every key it has, nothing required) and null returned when valid.
    /// </summary>
    public RecipeDefinition? Load(string recipePath, IReadOnlyList<string>? sets, bool allowFragment)
    {
        var diagnostics = new DiagnosticBag();
        var document = RecipeDocumentLoader.Load(recipePath, sets ?? [], diagnostics);
        diagnostics.ThrowIfErrors();
        if (document!.Root[RecipeSchema.NameKey] is null)
        {
            _schema.Fragment.Validate(document.Root, "", diagnostics);
            if (!allowFragment)
                diagnostics.Error(new SourceLocation(DisplayPath.Of(document.RecipePath), 1, 1),
                    $"no '{RecipeSchema.NameKey}: NAME' here or in its includes, so this file is a fragment for include:; add '{RecipeSchema.NameKey}: NAME' to build it");
            diagnostics.ThrowIfErrors();
            return null;
        }
        _schema.Root.Validate(document.Root, "", diagnostics);
        NonFiniteNumbers(document.Root, "", diagnostics);
        // Binding resolves paths (base_case.dir, scripts), which .NET refuses with an exception when they hold a NUL: such
        // a value is reported and binding skipped (found by the fuzz suite's long run: --set base_case.dir=\0).
        if (NulCharacters(document.Root, "", diagnostics)) diagnostics.ThrowIfErrors();
        // Binding tolerates shapes the schema rejected, so that one run reports schema and meaning errors together.
        var recipe = Bind(document, diagnostics);
        diagnostics.ThrowIfErrors();
        DryRun(recipe!, diagnostics);
        diagnostics.ThrowIfErrors();
        return recipe!;
    }

    /// <summary>
    /// Every unquoted number in the recipe is finite, wherever it is (base_case.params, a choice list, a plug-in's
    /// settings, a --set value such as 1e400): a value that is not cannot be hashed, recorded or written as JSON, and
    /// would reach out/. Fields the schema types as numbers already said so; this covers the free-form ones. Quoted,
    /// ".inf" is a string like any other.
    /// </summary>
    /// <summary>Whether any scalar holds a NUL character, each reported: no file name, command or value of a recipe can.</summary>
    private static bool NulCharacters(DocNode node, string path, DiagnosticBag diagnostics)
    {
        switch (node)
        {
            case DocScalar scalar when scalar.Text.Contains('\0', StringComparison.Ordinal):
                diagnostics.Error(scalar.Location, $"{(path.Length == 0 ? "value" : path)} holds a NUL character ({Escaping.TerminalText.Clean(scalar.Text)}); no file name, command or value can");
                return true;
            case DocMapping mapping:
                var found = false;
                foreach (var entry in mapping.Entries)
                    found |= NulCharacters(entry.Value, path.Length == 0 ? entry.Name : $"{path}.{entry.Name}", diagnostics);
                return found;
            case DocSequence sequence:
                var any = false;
                for (var i = 0; i < sequence.Items.Count; i++) any |= NulCharacters(sequence.Items[i], $"{path}.{i}", diagnostics);
                return any;
            default:
                return false;
        }
    }

    private static void NonFiniteNumbers(DocNode node, string path, DiagnosticBag diagnostics)
    {
        switch (node)
        {
            case DocScalar scalar when !scalar.Quoted && scalar.Value is JsonValue v && v.TryGetValue(out double d) && !double.IsFinite(d):
                if (!diagnostics.Errors.Any(e => e.Location == scalar.Location))
                    diagnostics.Error(scalar.Location, $"{(path.Length == 0 ? "value" : path)} must be a finite number, got {Escaping.TerminalText.Clean(scalar.Text)} (quote it to mean the text)");
                break;
            case DocMapping mapping:
                foreach (var entry in mapping.Entries) NonFiniteNumbers(entry.Value, path.Length == 0 ? entry.Name : $"{path}.{entry.Name}", diagnostics);
                break;
            case DocSequence sequence:
                for (var i = 0; i < sequence.Items.Count; i++) NonFiniteNumbers(sequence.Items[i], $"{path}.{i}", diagnostics);
                break;
        }
    }

    private RecipeDefinition? Bind(RecipeDocument document, DiagnosticBag diagnostics)
    {
        var root = document.Root;
        var recipeDirectory = Path.GetDirectoryName(document.RecipePath)!;
        var names = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);

        void Declare(string name, SourceLocation at)
        {
            if (name == SampleGenerator.SampleSeedName)
            {
                diagnostics.Error(at, $"'{name}' is reserved: the random samplers give every sample its own {name}; choose another name");
                return;
            }
            if (names.TryGetValue(name, out var first))
                diagnostics.Error(at, $"duplicate parameter '{name}' (already defined at {first}); rename one");
            else names[name] = at;
        }

        var seed = root["seed"] is DocScalar s && s.TryGetLong(out var seedValue) ? seedValue : 0;

        // Base case: constants and files.
        var constants = new List<KeyValuePair<string, JsonNode?>>();
        BaseCase? baseCase = null;
        var sourceFiles = new List<string>(document.SourceFiles);
        if (root["base_case"] is DocMapping baseMap)
        {
            if (baseMap["params"] is DocMapping paramMap)
                foreach (var entry in paramMap.Entries)
                {
                    Declare(entry.Name, entry.Key.Location);
                    constants.Add(new(entry.Name, DocValues.ToJson(entry.Value)));
                }
            if (baseMap["dir"] is DocScalar dirNode)
                baseCase = LoadBaseCase(dirNode, baseMap["templates"], DeclaringDirectory(dirNode.Location) ?? recipeDirectory, diagnostics);
            if (baseCase is not null) sourceFiles.AddRange(baseCase.Files.Select(f => f.FullPath));
        }

        // Parameter space.
        var parametersMap = root["parameters"] as DocMapping;
        int? requested = parametersMap?["samples"] is DocScalar samplesNode && samplesNode.TryGetLong(out var n) ? (int)Math.Min(n, int.MaxValue) : null;
        var samplerText = (parametersMap?["sampler"] as DocScalar)?.Text ?? (requested is null ? "grid" : "random");
        var sampler = samplerText switch
        {
            "grid" => SamplerKind.Grid,
            "sobol" => SamplerKind.Sobol,
            "latin-hypercube" => SamplerKind.LatinHypercube,
            "adaptive" => SamplerKind.Adaptive,
            _ => SamplerKind.Random,
        };
        var adaptive = sampler == SamplerKind.Adaptive ? BindAdaptive(parametersMap!, diagnostics) : null;
        if (adaptive is not null) requested = adaptive.Initial;
        var axes = new List<ParameterAxis>();
        if (parametersMap?["space"] is DocMapping spaceMap)
        {
            foreach (var entry in spaceMap.Entries)
            {
                var axis = BindAxis(entry, sampler, diagnostics);
                if (axis is null) continue;
                foreach (var name in axis.Names) Declare(name, axis is LinkedAxis ? ((DocMapping)((DocMapping)entry.Value)["linked"]!).Entry(name)!.Key.Location : entry.Key.Location);
                axes.Add(axis);
            }
        }
        var space = new ParameterSpace(sampler, axes, requested);
        var samplerLocation = parametersMap?["sampler"]?.Location ?? parametersMap?.Location ?? root.Location;
        if (sampler is SamplerKind.Sobol or SamplerKind.Adaptive && axes.Count(a => !a.IsConstant) > SobolSequence.MaxDimensions)
            diagnostics.Error(samplerLocation, $"the {samplerText} sampler supports at most {SobolSequence.MaxDimensions} varying parameters; use random or latin-hypercube");
        if (sampler == SamplerKind.Adaptive && axes.All(a => a.IsConstant))
            diagnostics.Error(samplerLocation, "the adaptive sampler needs at least one varying parameter under parameters.space");
        if (sampler == SamplerKind.Grid && axes.All(a => a.GridCount is not null))
        {
            try
            {
                if (space.GridProduct > 50_000_000)
                    diagnostics.Error(samplerLocation, $"the grid has {space.GridProduct} points; reduce the choices or steps, or use the random sampler with samples:");
            }
            catch (OverflowException)
            {
                diagnostics.Error(samplerLocation, "the grid has more points than can be counted; use the random sampler");
            }
        }
        var warnings = new List<Diagnostic>();
        if (sampler == SamplerKind.Grid && requested is not null && axes.All(a => a.GridCount is not null) && requested < space.GridProduct)
            warnings.Add(new Diagnostic(parametersMap!["samples"]!.Location, DiagnosticSeverity.Warning,
                $"samples: {requested} keeps only the first {requested} of {space.GridProduct} grid points"));
        if (sampler == SamplerKind.LatinHypercube)
            warnings.Add(new Diagnostic(samplerLocation, DiagnosticSeverity.Warning,
                "latin-hypercube is not prefix-stable: changing samples re-draws every sample (use sobol to grow a sweep)"));

        // Derived values.
        var derived = new List<DerivedValue>();
        if (parametersMap?["derived"] is DocMapping derivedMap)
            foreach (var entry in derivedMap.Entries)
            {
                Declare(entry.Name, entry.Key.Location);
                if (entry.Value is not DocScalar { IsNull: false } expression) continue;
                var text = expression.Text;
                var exprLocation = entry.Value.Location;
                var compiled = TemplateRenderer.Parse(text, exprLocation.File, diagnostics, exprLocation, expression: true);
                derived.Add(new DerivedValue(entry.Name, text, compiled, exprLocation));
            }

        // Stages.
        var stages = new List<StageDefinition>();
        var stagesMap = root["stages"] as DocMapping;
        foreach (var stage in StageNames.All)
        {
            var entry = stagesMap?.Entry(stage);
            if (entry is null)
            {
                if (stage == StageNames.Render && baseCase is not null)
                    stages.Add(Implicit(stage, root.Location));
                continue;
            }
            if (entry.Value is not DocMapping stageMap) continue;
            var plugin = _schema.Stages[stage].Resolve(stageMap, $"stages.{stage}", diagnostics);
            if (plugin is null) continue;
            stages.Add(BindStage(stage, plugin, stageMap, entry.Key.Location, diagnostics));
        }
        CheckPipeline(stages, baseCase, stagesMap, root, diagnostics);
        var targets = root[RecipeSchema.TargetsKey] is DocMapping targetsMap
            ? new Targets.TargetBinder(_schema).Bind(targetsMap, stages, diagnostics)
            : [];
        if (adaptive is not null && !stages.Any(st => StageNames.IsPerSample(st.Stage)) && !diagnostics.HasErrors)
            diagnostics.Error(samplerLocation, "the adaptive sampler learns from each sample's results; add stages.simulate");

        var execution = ExecutionSettings.None;
        if (root["execution"] is DocMapping exec)
        {
            execution = new ExecutionSettings(
                exec["jobs"] is DocScalar j && j.TryGetLong(out var jobs) ? (int)jobs : null,
                // The schema admitted only the spelled values, so these parse.
                exec["device"] is DocScalar d ? DeviceKinds.TryParse(d.Text) : null,
                exec["executor"] is DocScalar x ? x.Text == "slurm" ? Execution.ExecutorKind.Slurm : Execution.ExecutorKind.Local : null,
                exec["keep_going"] is DocScalar k ? k.Text is "true" or "True" or "TRUE" : null,
                exec["slurm"] is DocMapping slurm ? new ValueMap(slurm.Entries.ToDictionary(e => e.Name, e => DocValues.ToJson(e.Value), StringComparer.Ordinal)) : null);
        }

        return new RecipeDefinition
        {
            Name = (root["recipe"] as DocScalar)?.Text ?? "recipe",
            RecipePath = document.RecipePath,
            Description = (root["description"] as DocScalar)?.Text,
            Seed = seed,
            BaseCase = baseCase,
            Constants = new ValueMap(constants),
            Space = space,
            Derived = derived,
            Stages = stages,
            Targets = targets,
            Execution = execution,
            Adaptive = adaptive,
            SelectStage = adaptive is null ? null : new StageDefinition
            {
                Stage = StageNames.Select,
                Plugin = new Adaptive.AdaptiveSelectStage(),
                Settings = adaptive.NodeSettings(),
                Materialize = true,
                Location = parametersMap!["adaptive"]?.Location ?? samplerLocation,
            },
            SourceFiles = sourceFiles,
            Warnings = warnings,
        };
    }

    /// <summary>
    /// <c>parameters.adaptive</c>, its defaults filled in; the schema has checked the types and ranges, this checks what
    /// depends on several keys. <c>samples:</c> has no meaning here (the sweep holds initial + rounds × batch samples).
    /// </summary>
    private static Adaptive.AdaptiveSettings? BindAdaptive(DocMapping parameters, DiagnosticBag diagnostics)
    {
        if (parameters["samples"] is { } samples)
            diagnostics.Error(samples.Location, "the adaptive sampler draws parameters.adaptive.initial samples, then batch per round; remove samples:");
        if (parameters["adaptive"] is not DocMapping map)
        {
            diagnostics.Error(parameters["sampler"]?.Location ?? parameters.Location, "sampler: adaptive needs parameters.adaptive with at least target: (the result field the surrogate learns)");
            return null;
        }
        int Int(string key, int fallback) => map[key] is DocScalar v && v.TryGetLong(out var n) ? (int)Math.Clamp(n, int.MinValue, int.MaxValue) : fallback;
        double Number(string key, double fallback) => map[key] is DocScalar v && v.TryGetDouble(out var x) ? x : fallback;
        string Text(string key, string fallback) => map[key] is DocScalar { IsNull: false } v ? v.Text : fallback;
        var settings = new Adaptive.AdaptiveSettings
        {
            Target = Text("target", ""),
            Initial = Int("initial", 16),
            Rounds = Int("rounds", 4),
            Batch = Int("batch", 8),
            Pool = Int("pool", 512),
            Acquisition = Adaptive.Acquisitions.TryParse(Text("acquisition", "ensemble-variance")) ?? Adaptive.AcquisitionKind.EnsembleVariance,
            Result = Text("result", "result.json"),
            Members = Int("members", 8),
            Features = Int("features", 128),
            LengthScale = Number("length_scale", 0.15),
            DistanceWeight = Number("distance_weight", 0.5),
        };
        if ((long)settings.Rounds * settings.Batch > settings.Pool)
            diagnostics.Error(map["pool"]?.Location ?? map.Location,
                $"parameters.adaptive: pool {settings.Pool} is smaller than rounds × batch = {(long)settings.Rounds * settings.Batch}; the rounds would run out of candidates; raise pool");
        if ((long)settings.Initial + settings.Pool > RecipeLimits.MaxSamples)
            diagnostics.Error(map.Location, $"parameters.adaptive: initial + pool exceeds {RecipeLimits.MaxSamples} samples; lower pool");
        return settings;
    }

    private StageDefinition Implicit(string stage, SourceLocation at)
    {
        var plugin = _registry.DefaultFor(stage) ?? _registry.ForStage(stage)[0];
        return new StageDefinition
        {
            Stage = stage,
            Plugin = plugin,
            Settings = Defaults(plugin, []),
            Materialize = DefaultMaterialize(stage),
            Location = at,
        };
    }

    private static bool DefaultMaterialize(string stage) => stage is not (StageNames.Render or StageNames.Augment);

    private static ValueMap Defaults(IStagePlugin plugin, IEnumerable<KeyValuePair<string, JsonNode?>> given)
    {
        var values = plugin.Options.Concat(StageSettings.EngineOptions(plugin.Stage)).Where(o => o.Default is not null)
            .ToDictionary(o => o.Name, o => (JsonNode?)o.Default!.DeepClone(), StringComparer.Ordinal);
        foreach (var (k, v) in given) values[k] = v;
        return new ValueMap(values);
    }

    /// <summary>The directory of the file a value was declared in (relative paths in it resolve there), or null for the command line.</summary>
    internal static string? DeclaringDirectory(SourceLocation location) =>
        location.File.StartsWith('(') ? null : Path.GetDirectoryName(Path.GetFullPath(location.File));

    internal static StageDefinition BindStage(string stage, IStagePlugin plugin, DocMapping map, SourceLocation at, DiagnosticBag diagnostics, string? path = null)
    {
        path ??= $"stages.{stage}";
        var selector = StageNames.SelectorKey(stage);
        var given = map.Entries
            .Where(e => e.Name != selector && !StageSettings.IsCommon(e.Name))
            .Select(e => new KeyValuePair<string, JsonNode?>(e.Name, DocValues.ToJson(e.Value)));
        var settings = Defaults(plugin, given);
        try
        {
            foreach (var problem in plugin.Validate(settings))
                diagnostics.Error(map.Entry(problem.Option)?.Value.Location ?? at, $"{path}.{problem.Option}: {problem.Message}");
        }
        catch (PluginException) when (diagnostics.HasErrors)
        {
            // A setting of the wrong type, already reported by the schema check.
        }
        return new StageDefinition
        {
            Stage = stage,
            Plugin = plugin,
            Settings = settings,
            Materialize = map[StageSettings.Materialize] is DocScalar m ? m.Text is "true" or "True" or "TRUE" : DefaultMaterialize(stage),
            Threads = map[StageSettings.Threads] is DocScalar t && t.TryGetLong(out var threads) ? (int)threads : null,
            Device = map[StageSettings.Device] is DocScalar device ? DeviceKinds.TryParse(device.Text) : null,
            Location = at,
            // Paths a stage names (an exec trainer's inputs) belong to the file that names them.
            BaseDirectory = DeclaringDirectory(map["inputs"]?.Location ?? map.Location),
        };
    }

    private static void CheckPipeline(List<StageDefinition> stages, BaseCase? baseCase, DocMapping? stagesMap, DocMapping root, DiagnosticBag diagnostics)
    {
        bool Has(string s) => stages.Any(d => d.Stage == s);
        SourceLocation At(string s) => stagesMap?.Entry(s)?.Key.Location ?? root.Location;
        if (stages.Count == 0 && !diagnostics.HasErrors)
            diagnostics.Error(stagesMap?.Location ?? root.Location, "the recipe has no stages; add stages.simulate (and base_case.dir for templated inputs)");
        if (Has(StageNames.Render) && baseCase is null && stagesMap?.Entry(StageNames.Render) is not null)
            diagnostics.Error(At(StageNames.Render), "stages.render needs base_case.dir: the templates to render");
        var perSample = stages.Where(s => StageNames.IsPerSample(s.Stage)).ToList();
        if (Has(StageNames.Augment) && perSample.All(s => s.Stage == StageNames.Augment))
            diagnostics.Error(At(StageNames.Augment), "stages.augment needs an earlier per-sample stage (simulate) whose outputs it augments");
        if (Has(StageNames.Postprocess) && !Has(StageNames.Simulate))
            diagnostics.Error(At(StageNames.Postprocess), "stages.postprocess needs stages.simulate");
        if (Has(StageNames.Dataset) && perSample.Count == 0)
            diagnostics.Error(At(StageNames.Dataset), "stages.dataset needs per-sample stages (simulate) to collect");
        if (Has(StageNames.Train) && !Has(StageNames.Dataset))
            diagnostics.Error(At(StageNames.Train), "stages.train needs stages.dataset to train on");
        if (Has(StageNames.Evaluate) && !Has(StageNames.Train))
            diagnostics.Error(At(StageNames.Evaluate), "stages.evaluate needs stages.train: a model to evaluate");
    }

    private static BaseCase? LoadBaseCase(DocScalar dirNode, DocNode? templatesNode, string recipeDirectory, DiagnosticBag diagnostics)
    {
        var directory = Path.GetFullPath(Path.Combine(recipeDirectory, dirNode.Text));
        if (!Directory.Exists(directory))
        {
            diagnostics.Error(dirNode.Location, $"base_case.dir '{dirNode.Text}' not found (looked for {DisplayPath.Of(directory)})");
            return null;
        }
        var patterns = templatesNode switch
        {
            DocScalar s => [s.Text],
            DocSequence seq => seq.Items.OfType<DocScalar>().Select(i => i.Text).ToList(),
            _ => new List<string> { "**/*.sbn" },
        };
        foreach (var pattern in patterns)
        {
            if (Path.IsPathRooted(pattern) || pattern.Replace('\\', '/').Split('/').Contains(".."))
                diagnostics.Error(templatesNode?.Location ?? dirNode.Location, $"base_case.templates: '{pattern}' would reach outside the base case; give globs relative to base_case.dir");
        }
        // The symlink policy (docs/security.md): the base case is the tree under base_case.dir itself, so that directory
        // may not be a link, and a link inside it is followed only when it resolves inside it.
        if (new DirectoryInfo(Path.TrimEndingDirectorySeparator(directory)).LinkTarget is { } dirLink)
        {
            diagnostics.Error(dirNode.Location, $"base_case.dir '{dirNode.Text}' is a symbolic link (to {dirLink}); point base_case.dir at the real directory");
            return null;
        }
        var realDirectory = Plugins.Files.RealPath.Of(directory);
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddIncludePatterns(patterns);
        var files = new List<BaseCaseFile>();
        List<string> all;
        try
        {
            // Bounded: one past the limit is enough to know it is exceeded.
            all = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Take(RecipeLimits.MaxBaseCaseFiles + 1)
                .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // A directory under it that the user may not read (found by the fuzz suite: /proc/1/map_files under base_case.dir=/).
            diagnostics.Error(dirNode.Location, $"base_case.dir '{Escaping.TerminalText.Clean(dirNode.Text)}' cannot be listed ({Escaping.TerminalText.Clean(e.Message)}); point it at the simulator's input files");
            return null;
        }
        if (all.Count > RecipeLimits.MaxBaseCaseFiles)
        {
            diagnostics.Error(dirNode.Location, $"base_case.dir '{Escaping.TerminalText.Clean(dirNode.Text)}' holds more than {RecipeLimits.MaxBaseCaseFiles} files; point it at the simulator's input files");
            return null;
        }
        if (all.Count == 0)
            diagnostics.Error(dirNode.Location, $"base_case.dir '{dirNode.Text}' is empty; put the simulator's input files there");
        var templates = matcher.Match(directory, all).Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        if (templatesNode is not null && templates.Count == 0)
            diagnostics.Error(templatesNode.Location, $"base_case.templates matches no file in {dirNode.Text}");
        foreach (var relative in all)
        {
            var full = Path.Combine(directory, relative);
            var real = Plugins.Files.RealPath.Of(full);
            if (!real.StartsWith(realDirectory.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                diagnostics.Error(dirNode.Location, $"base case file '{relative}' leads out of the base case through a symbolic link (to {real}); copy the file in instead");
                continue;
            }
            Scriban.Template? template = null;
            var output = relative;
            if (templates.Contains(relative))
            {
                string text;
                try
                {
                    // An empty template is valid and read as such (the bounded reader refuses empty files, which it
                    // cannot tell from pipes); a byte-order mark is dropped as File.ReadAllText dropped it.
                    var bytes = new FileInfo(full).Length == 0 ? [] : Plugins.Files.RegularFile.ReadAllBytes(full, RecipeLimits.MaxTemplateBytes);
                    text = System.Text.Encoding.UTF8.GetString(bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes);
                }
                catch (Exception e) when (e is Plugins.Files.RefusedFileException or IOException or UnauthorizedAccessException)
                {
                    // Listed a moment ago and gone, or not readable (found by the fuzz suite: base_case.dir=.. over
                    // folders another process was deleting): one line, not an exception.
                    var reason = e is Plugins.Files.RefusedFileException refused ? refused.Reason : e.Message;
                    diagnostics.Error(dirNode.Location, $"base case template '{Escaping.TerminalText.Clean(relative)}' cannot be read ({Escaping.TerminalText.Clean(reason)}); point base_case.dir at the simulator's input files");
                    continue;
                }
                template = TemplateRenderer.Parse(text, DisplayPath.Of(full), diagnostics);
                if (output.EndsWith(".sbn", StringComparison.Ordinal)) output = output[..^4];
            }
            files.Add(new BaseCaseFile(relative, full, output, template));
        }
        return new BaseCase(directory, dirNode.Text, files);
    }

    private static ParameterAxis? BindAxis(DocEntry entry, SamplerKind sampler, DiagnosticBag diagnostics)
    {
        var name = entry.Name;
        var at = entry.Key.Location;
        switch (entry.Value)
        {
            case DocScalar scalar:
                return new ConstantAxis(name, at, scalar.Value);
            case DocSequence list:
                return new ChoiceAxis(name, at, list.Items.Select(DocValues.ToJson).ToList());
        }
        var map = (DocMapping)entry.Value;
        var steps = map["steps"] is DocScalar st && st.TryGetLong(out var s) ? (int)s : (int?)null;
        if (steps is not null && map["uniform"] is null && map["log_uniform"] is null)
            diagnostics.Error(map["steps"]!.Location, $"parameters.space.{name}.steps applies to uniform and log_uniform only");

        if (map["constant"] is { } constant) return new ConstantAxis(name, at, DocValues.ToJson(constant));
        if (map["choice"] is DocSequence choice) return new ChoiceAxis(name, at, choice.Items.Select(DocValues.ToJson).ToList());
        if (map["int"] is DocSequence ints)
        {
            if (!TryPair(ints, out var loD, out var hiD)) return null;
            var (lo, hi) = ((long)loD, (long)hiD);
            if (lo > hi)
            {
                diagnostics.Error(ints.Location, $"parameters.space.{name}.int: inverted range [{lo}, {hi}]; write [{hi}, {lo}]");
                return null;
            }
            // In double: the difference of two longs near ±9.2e18 overflows a long.
            if ((double)hi - lo >= RecipeLimits.MaxSamples)
            {
                diagnostics.Error(ints.Location, $"parameters.space.{name}.int: range too wide (at most {RecipeLimits.MaxSamples} integers); use uniform for a wider range");
                return null;
            }
            return new IntAxis(name, at, lo, hi);
        }
        foreach (var kind in new[] { "uniform", "log_uniform" })
        {
            if (map[kind] is not DocSequence range) continue;
            if (!TryPair(range, out var lo, out var hi)) return null;
            if (lo > hi)
            {
                diagnostics.Error(range.Location, $"parameters.space.{name}.{kind}: inverted range [{lo}, {hi}]; write [{hi}, {lo}]");
                return null;
            }
            if (kind == "log_uniform" && lo <= 0)
            {
                diagnostics.Error(range.Location, $"parameters.space.{name}.log_uniform: bounds must be positive, got {lo}");
                return null;
            }
            if (sampler == SamplerKind.Grid && steps is null)
                diagnostics.Error(map.Location, $"parameters.space.{name}: a continuous range needs 'steps: N' with the grid sampler (or use sampler: random)");
            return new UniformAxis(name, at, lo, hi, steps, kind == "log_uniform");
        }
        if (map["normal"] is DocSequence normal)
        {
            if (!TryPair(normal, out var mean, out var sd)) return null;
            if (sd <= 0)
            {
                diagnostics.Error(normal.Items[1].Location, $"parameters.space.{name}.normal: the standard deviation must be positive, got {sd}");
                return null;
            }
            if (sampler == SamplerKind.Grid)
                diagnostics.Error(map.Location, $"parameters.space.{name}: a normal parameter cannot be gridded; use sampler: random or sobol");
            return new NormalAxis(name, at, mean, sd);
        }
        if (map["linked"] is DocMapping linked)
        {
            var columns = linked.Entries
                .Where(e => e.Value is DocSequence)
                .Select(e => (e.Name, (IReadOnlyList<JsonNode?>)((DocSequence)e.Value).Items.Select(DocValues.ToJson).ToList()))
                .ToList();
            if (columns.Count == 0) return null;
            var lengths = columns.Select(c => c.Item2.Count).Distinct().ToList();
            if (lengths.Count > 1)
            {
                diagnostics.Error(linked.Location, $"parameters.space.{name}.linked: the lists must have the same length, got {string.Join(", ", columns.Select(c => $"{c.Name}: {c.Item2.Count}"))}");
                return null;
            }
            return new LinkedAxis(name, at, columns);
        }
        return null;
    }

    private static bool TryPair(DocSequence pair, out double first, out double second)
    {
        first = second = 0;
        return pair.Items.Count == 2 && pair.Items[0] is DocScalar a && a.TryGetDouble(out first)
            && pair.Items[1] is DocScalar b && b.TryGetDouble(out second);
    }

    /// <summary>Evaluates derived values and renders every template for the first sample, so runtime template errors show up at validation.</summary>
    private static void DryRun(RecipeDefinition recipe, DiagnosticBag diagnostics)
    {
        if (recipe.Space.Count == 0) return;
        ValueMap parameters;
        try
        {
            var first = SampleGenerator.Generate(new ParameterSpace(recipe.Space.Sampler, recipe.Space.Axes, 1), recipe.Seed, recipe.Constants);
            parameters = recipe.Derive(first[0].Parameters);
        }
        catch (RecipeException e)
        {
            foreach (var d in e.Diagnostics) diagnostics.Add(d);
            return;
        }
        if (recipe.BaseCase is null) return;
        var known = parameters.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var file in recipe.BaseCase.Files.Where(f => f.IsTemplate))
        {
            // Every branch, not only the one the first sample takes: a variable no sample defines is an error now.
            var undefined = TemplateVariables.Undefined(file.Template!, known);
            foreach (var (name, span) in undefined)
                diagnostics.Error(TemplateRenderer.LocationOf(span, DisplayPath.Of(file.FullPath)),
                    $"template error: variable '{name}' is not a parameter of this recipe{Suggestions.DidYouMean(name, known)}; define it in parameters.space or base_case.params");
            if (undefined.Count > 0) continue;
            try
            {
                TemplateRenderer.Render(file.Template!, parameters, DisplayPath.Of(file.FullPath));
            }
            catch (TemplateException e)
            {
                diagnostics.Error(e.Location, "template error: " + e.Detail);
            }
        }
    }
}
