using System.Diagnostics;
using Recipes.Cache;
using Recipes.Cli;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Materialization;
using Recipes.Recipe;
using Recipes.Reporting;

namespace Recipes.Benchmarks;

/// <summary>
/// <c>bulk N FILES BYTES [RUNS]</c>: builds N in-process nodes of <see cref="BulkStage"/> (FILES outputs of BYTES bytes
/// each) on a fresh cache with two jobs, outputs materialized into out/ as a build does, and reports nodes per second,
/// allocation and GC pauses per node, beside the raw floor measured in the same run: the same files written with
/// <c>File.WriteAllBytes</c> to a temporary name and renamed into place, one directory per node. System calls and
/// fsyncs per node come from running the same command under <c>strace -f -c</c> (tests/Recipes.Benchmarks/scripts/bulk.sh).
/// <para>
/// Each run writes into a directory of its own and nothing is deleted until every run is done: on ext4 without a
/// journal (as here) a new inode is not taken from those freed in the last 30 seconds or so, and skipping thousands of
/// them made any run that followed the deletion of the previous run's cache 30–50 % slower, whichever code it timed.
/// </para>
/// </summary>
public static class BulkBenchmark
{
    public static int Run(string[] args)
    {
        if (args.Length < 3 || !int.TryParse(args[0], out var samples) || !int.TryParse(args[1], out var files) || !int.TryParse(args[2], out var bytes))
        {
            Console.Error.WriteLine("usage: bulk N FILES BYTES [RUNS] [--engine-only|--floor-only]");
            return 2;
        }
        var runs = args.Length > 3 && int.TryParse(args[3], out var r) ? r : 3;
        var engine = !args.Contains("--floor-only");
        var floor = !args.Contains("--engine-only");
        var root = Path.Combine(Path.GetTempPath(), "recipes-bulk", $"{samples}-{files}-{bytes}-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        var recipePath = Path.Combine(root, "recipe.yaml");
        File.WriteAllText(recipePath, $$"""
            recipe: bulk
            seed: 1
            parameters:
              samples: {{samples}}
              sampler: random
              space:
                x: { uniform: [0, 1] }
            stages:
              simulate: { solver: bulk, files: {{files}}, bytes: {{bytes}} }
            """);
        var registry = BuiltinPlugins.Create();
        registry.Register(new BulkStage());
        Console.WriteLine($"bulk: {samples} nodes, {files} file(s) of {bytes} B each, jobs 2, fresh cache each run");
        for (var run = 0; run < runs; run++)
        {
            if (engine)
            {
                var cacheDirectory = Path.Combine(root, $"cache{run}");
                var outDirectory = Path.Combine(root, $"out{run}");
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var pause = GC.GetTotalPauseDuration();
                var clock = Stopwatch.StartNew();
                var graph = GraphPlanner.Plan(new RecipeLoader(registry).Load(recipePath));
                var cache = new CacheStore(cacheDirectory);
                var options = new BuildOptions { Jobs = 2, OutputRoot = outDirectory };
                var result = new BuildEngine(cache).BuildAsync(graph, options, NullReporter.Instance, CancellationToken.None).GetAwaiter().GetResult();
                new OutputMaterializer(cache).Materialize(result, outDirectory);
                var seconds = clock.Elapsed.TotalSeconds;
                if (result.Summary.Executed != samples) throw new InvalidOperationException($"executed {result.Summary.Executed} of {samples}");
                Console.WriteLine($"engine: {seconds:0.000} s, {samples / seconds:0} nodes/s, {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)samples / 1024:0.0} KiB allocated per node, GC pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:0} ms");
            }
            if (floor)
            {
                var floorDirectory = Path.Combine(root, $"floor{run}");
                var clock = Stopwatch.StartNew();
                // Two writers, as the build has two jobs.
                Parallel.For(0, samples, new ParallelOptions { MaxDegreeOfParallelism = 2 }, k =>
                {
                    var directory = Directory.CreateDirectory(Path.Combine(floorDirectory, k.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))).FullName;
                    foreach (var (name, content) in BulkStage.Contents($"x={k}", files, bytes))
                    {
                        var temporary = Path.Combine(directory, name + ".tmp");
                        File.WriteAllBytes(temporary, content);
                        File.Move(temporary, Path.Combine(directory, name));
                    }
                });
                var seconds = clock.Elapsed.TotalSeconds;
                Console.WriteLine($"floor: {seconds:0.000} s, {samples / seconds:0} nodes/s (File.WriteAllBytes + rename, one directory per node)");
            }
        }
        Directory.Delete(root, recursive: true);
        return 0;
    }
}
