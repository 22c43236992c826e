using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Cli;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Hashing;
using Recipes.Plugins;
using Recipes.Reporting;

namespace Recipes.Bench;

/// <summary>
/// The "benchmark computational resources" step: for every fidelity level and device, the first k samples' simulations
/// each run in a child <c>recipes run-node</c> process, timed by the node itself and watched for peak memory over the
/// whole process tree. Each measurement is cached under a key of (the simulation's action key, device, threads), so a
/// repeated bench reuses it, and the simulations' results land in the cache for the real build.
/// </summary>
public sealed class BenchRunner
{
    private const int Format = 2;

    /// <summary>At least this many measured runs per level and device, so the median is one (a sample repeats when there are fewer).</summary>
    public const int MinimumRuns = 3;
    private readonly Action<string> _say;

    public BenchRunner(Action<string> say) => _say = say;

    public static IReadOnlyList<string> LevelSets(RecipeSession session, string parameter, string level)
    {
        // A dotted path is a setting (stages.simulate.spacing): many solvers' fidelity knob is a stage setting, not a
        // sampled parameter. It goes through --set, which checks the path and the value.
        if (parameter.Contains('.', StringComparison.Ordinal)) return [$"{parameter}={level}"];
        var root = session.Recipe.Constants.Contains(parameter) ? "base_case.params" : "parameters.space";
        if (root == "parameters.space" && !session.Recipe.Space.Axes.Any(a => a.Names.Contains(parameter)))
            throw new RecipeException(new SourceLocation(DisplayPath.Of(session.Recipe.RecipePath), 1, 1),
                $"--fidelity: the recipe has no parameter '{parameter}'{Suggestions.DidYouMean(parameter, session.Recipe.Constants.Keys.Concat(session.Recipe.Space.Axes.SelectMany(a => a.Names)))} (a stage setting is given by its path, e.g. stages.simulate.{parameter})");
        return [$"{root}.{parameter}={level}"];
    }

    public async Task<IReadOnlyList<BenchMeasurement>> RunAsync(BenchRequest request, CancellationToken cancellationToken)
    {
        var measurements = new List<BenchMeasurement>();
        var baseline = RecipeSession.Open(request.RecipePath, request.Sets, request.CacheOption);
        foreach (var level in request.Levels)
        {
            foreach (var (device, threads) in request.Devices)
            {
                var sets = request.Sets.Concat(LevelSets(baseline, request.Parameter, level)).Append($"stages.simulate.threads={threads}").ToList();
                var session = RecipeSession.Open(request.RecipePath, sets, request.CacheOption);
                var simulations = session.Graph.Nodes.Where(n => n.StageName == StageNames.Simulate).OrderBy(n => n.Sample!.Index).Take(request.Samples).ToList();
                if (simulations.Count == 0) throw new RecipeException(new SourceLocation(DisplayPath.Of(request.RecipePath), 1, 1), "bench needs a simulate stage");

                // Inputs first (rendered base cases), as an ordinary build.
                var inputs = session.Graph.Subset(simulations.SelectMany(s => s.Dependencies).Select(d => d.Id).Distinct());
                var engine = new BuildEngine(session.Cache);
                var built = await engine.BuildAsync(inputs, new BuildOptions { Jobs = Environment.ProcessorCount }, NullReporter.Instance, cancellationToken);
                if (built.Summary.Failed > 0) throw new PluginException($"the inputs of the benchmarked simulations failed to build at {request.Parameter}={level}");

                var graph = session.Graph.Subset(simulations.Select(s => s.Id));
                var states = engine.Scan.Probe(graph);
                var keys = new Dictionary<string, string>(StringComparer.Ordinal);
                var toMeasure = new List<GraphNode>();
                foreach (var node in graph.Nodes.Where(n => n.StageName == StageNames.Simulate))
                {
                    var simulationKey = ActionKeys.Compute(node, states.Outputs).Hash;
                    keys[node.Id] = new KeyBuilder().Add("bench", Format.ToString(CultureInfo.InvariantCulture)).Add("action", simulationKey)
                        .Add("device", device).Add("threads", threads.ToString(CultureInfo.InvariantCulture)).Build();
                    if (Cached(session.Cache, keys[node.Id], level, device, threads, node.Id) is { } hits) measurements.AddRange(hits.Select(h => Report(request, h)));
                    else toMeasure.Add(node);
                }
                if (toMeasure.Count > 0)
                    foreach (var measured in await Measure(session, sets, toMeasure, level, device, threads, keys, cancellationToken))
                        measurements.Add(Report(request, measured));
            }
        }
        return measurements;
    }

    private static List<BenchMeasurement>? Cached(CacheStore cache, string key, string level, string device, int threads, string node)
    {
        var hit = cache.Actions.TryGetOutputs(key);
        if (hit is null || hit.Outputs.Count != 1 || !cache.Blobs.Contains(hit.Outputs[0].Hash)) return null;
        var json = JsonNode.Parse(File.ReadAllText(cache.Blobs.PathOf(hit.Outputs[0].Hash)))!;
        var startup = json["startup_seconds"]?.GetValue<double>();
        var warmUp = json["warm_up_seconds"]?.GetValue<double>();
        return json["runs"]!.AsArray().Select(r => new BenchMeasurement(level, device, threads, node, r!["seconds"]!.GetValue<double>(), r["peak_bytes"]!.GetValue<long>(),
            json["output_bytes"]!.GetValue<long>(), FromCache: true, startup, warmUp)).ToList();
    }

    private BenchMeasurement Report(BenchRequest request, BenchMeasurement m)
    {
        _say($"{request.Parameter}={m.Level} {m.Device}:{m.Threads} {m.Node}: {m.Seconds:0.000} s, peak {m.PeakBytes / 1048576.0:0} MiB{(m.FromCache ? " (cached)" : "")}");
        return m;
    }

    /// <summary>
    /// Runs the nodes of one level and device in one child process, after one warm-up run that is not counted, so
    /// one-time start-up (runtime, kernel compilation, caches) is paid once, as in a build, and reported apart; each
    /// node repeats until there are <see cref="MinimumRuns"/> runs. Each run's time comes from the child, and its peak
    /// memory is the process tree's while that run alone ran.
    /// </summary>
    private static async Task<IReadOnlyList<BenchMeasurement>> Measure(RecipeSession session, IReadOnlyList<string> sets, IReadOnlyList<GraphNode> nodes,
        string level, string device, int threads, Dictionary<string, string> keys, CancellationToken cancellationToken)
    {
        var repeat = (MinimumRuns + nodes.Count - 1) / nodes.Count;
        var start = ToolProcess.StartInfo();
        start.ArgumentList.Add("run-node");
        start.ArgumentList.Add(session.Recipe.RecipePath);
        foreach (var node in nodes) start.ArgumentList.Add(node.Id);
        foreach (var argument in new[] { "--force", "--warm-up", "--repeat", repeat.ToString(CultureInfo.InvariantCulture), "--cache", session.Cache.Root, "--device", device })
            start.ArgumentList.Add(argument);
        foreach (var set in sets)
        {
            start.ArgumentList.Add("--set");
            start.ArgumentList.Add(set);
        }
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var stdout = await output;
        var stderr = await errors;
        if (process.ExitCode != 0) throw new PluginException($"the benchmarked simulations failed at {level} on {device}: {stderr.Trim()}");
        var report = RunNodeReport.Parse(stdout.Trim().Split('\n').Last());
        var warmUp = report.Nodes.FirstOrDefault(n => n.WarmUp == true)?.Seconds;
        var measured = new List<BenchMeasurement>();
        foreach (var node in nodes)
        {
            var runs = report.Nodes.Where(n => n.Node == node.Id && n.WarmUp != true).ToList();
            if (runs.Count == 0) throw new PluginException($"the benchmark run reported nothing for {node.Id}");
            var measurements = runs.Select(r => new BenchMeasurement(level, device, threads, node.Id, r.Seconds ?? 0, r.PeakBytes ?? 0, r.OutputBytes ?? 0, FromCache: false,
                report.StartupSeconds, warmUp)).ToList();
            Store(session, node, device, threads, keys[node.Id], measurements);
            measured.AddRange(measurements);
        }
        return measured;
    }

    private static void Store(RecipeSession session, GraphNode node, string device, int threads, string key, IReadOnlyList<BenchMeasurement> runs)
    {
        var record = new JsonObject
        {
            ["node"] = node.Id,
            ["level"] = runs[0].Level,
            ["device"] = device,
            ["threads"] = threads,
            ["runs"] = new JsonArray(runs.Select(r => (JsonNode?)new JsonObject { ["seconds"] = r.Seconds, ["peak_bytes"] = r.PeakBytes }).ToArray()),
            ["output_bytes"] = runs[0].OutputBytes,
            ["startup_seconds"] = runs[0].StartupSeconds,
            ["warm_up_seconds"] = runs[0].WarmUpSeconds,
        };
        var blob = session.Cache.Blobs.PutBytes(System.Text.Encoding.UTF8.GetBytes(record.ToJsonString()));
        session.Cache.Actions.Put(new ActionEntry
        {
            Key = key,
            Node = "bench/" + node.Id,
            Stage = "bench",
            Plugin = node.Plugin.Name,
            Version = node.Plugin.Version,
            Spec = new JsonObject { ["simulation"] = node.Spec.Text, ["device"] = device, ["threads"] = threads }.ToJsonString(),
            Inputs = [],
            Outputs = [new OutputFile("measurement.json", blob, new FileInfo(session.Cache.Blobs.PathOf(blob)).Length)],
        });
    }
}
