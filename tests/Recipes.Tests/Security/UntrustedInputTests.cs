using System.Diagnostics;
using Recipes.Tests.Support;

namespace Recipes.Tests.Security;

/// <summary>
/// docs/security.md, the surfaces of the third round: files and arguments the tool did not write itself (the project
/// file, run records, --set, --jobs, run references, includes, the cache location) each end in exit 0, 1 or 2 with one
/// line naming the culprit, never an unhandled exception, a blocked read or a file deleted outside the cache.
/// </summary>
public sealed class UntrustedInputTests
{
    private static Support.Cli.Result Run(Workspace ws, params string[] args) => Support.Cli.Run(ws.Root, null, TimeSpan.FromMinutes(2), args);

    /// <summary>The tool's answer to bad input: the exit code, and no stack trace.</summary>
    private static void Refused(Support.Cli.Result result, int exitCode, string expected)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    private static void OneLine(Support.Cli.Result result) =>
        Assert.True(result.Stderr.TrimEnd().Split('\n').Length == 1, "more than one line: " + result.Stderr);

    private static void Mkfifo(string path)
    {
        using var process = Process.Start("mkfifo", [path]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    public static TheoryData<string, string> ProjectFiles => new()
    {
        { "[1,2]", "is not a JSON object ({...})" },
        { "{\"remote_cache\": 5}", "remote_cache is a whole number where an object ({...}) belongs" },
        { "{\"remote_cache\": {\"url\": 5}}", "remote_cache.url is a whole number where a string belongs" },
        { "{\"remote_cache\": {\"url\": \"http://127.0.0.1:9/\", \"upload\": \"no\"}}", "remote_cache.upload is a string where true or false belongs" },
        { "{\"remote_cache\": ", "is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(ProjectFiles))]
    public void AProjectFileOfTheWrongShapeIsRefusedWithExit2(string content, string reason)
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var config = ws.Write(".recipes.json", content);
        var result = Run(ws, "build", "recipe.yaml");
        Refused(result, 2, $"error: {config}: {reason}");
        OneLine(result);
        Assert.False(Directory.Exists(ws.Path_(".recipes/ac")), "nothing was built");
    }

    [Fact]
    public void APipeAsTheProjectFileIsRefusedWithoutBlocking()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Mkfifo(ws.Path_(".recipes.json"));
        var result = Run(ws, "build", "recipe.yaml");
        Refused(result, 2, $"error: {ws.Path_(".recipes.json")}: is empty or not a regular file (a pipe, a socket or a device)");
        OneLine(result);
    }

    [Theory]
    [InlineData("abc", "error: --jobs must be a whole number between 1 and 65536, not 'abc'")]
    [InlineData("1099511627776", "error: --jobs must be between 1 and 65536, not 1099511627776")]
    [InlineData("-5", "error: --jobs must be between 1 and 65536, not -5")]
    public void JobsThatAreNotAWholeNumberInRangeAreAUsageError(string jobs, string message)
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var result = Run(ws, "build", "recipe.yaml", "--jobs", jobs);
        Refused(result, 2, message);
    }

    [Theory]
    [InlineData("base_case.params.g=1e400", "(command line):1:1: error: base_case.params.g must be a finite number, got 1e400")]
    [InlineData("base_case.params.g=-.inf", "(command line):1:1: error: base_case.params.g must be a finite number, got -.inf")]
    [InlineData("parameters.space.a.choice=[1, .nan]", "(command line):1:1: error: parameters.space.a.choice.1 must be a finite number, got .nan")]
    public void SetValuesThatAreNotFiniteAreExit2(string set, string message)
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Refused(Run(ws, "build", "recipe.yaml", "--set", set), 2, message);
    }

    [Fact]
    public void RecipeValuesThatAreNotFiniteAreExit2WithTheirPosition()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws, space: "a: { choice: [1, .nan] }\n    b: { choice: [x, y] }");
        var source = File.ReadAllText(ws.Path_("recipe.yaml")).Replace("  dir: base/\n", "  dir: base/\n  params: { g: .inf }\n", StringComparison.Ordinal);
        ws.Write("recipe.yaml", source);
        var result = Run(ws, "validate", "recipe.yaml");
        Refused(result, 2, "recipe.yaml:5:16: error: base_case.params.g must be a finite number, got .inf");
        Assert.Contains("recipe.yaml:10:22: error: parameters.space.a.choice.1 must be a finite number, got .nan", result.Stderr, StringComparison.Ordinal);
        // Quoted, it is text like any other.
        ws.Write("recipe.yaml", source.Replace(".inf", "'.inf'", StringComparison.Ordinal).Replace(".nan", "'.nan'", StringComparison.Ordinal));
        Assert.Equal(0, Run(ws, "validate", "recipe.yaml").ExitCode);
    }

    [Fact]
    public void ADiamondOfIncludesIsOneErrorInBoundedTime()
    {
        using var ws = new Workspace();
        for (var i = 0; i < 40; i++)
            ws.Write($"f{i}.yaml", i < 38 ? $"include: [f{i + 1}.yaml, f{i + 2}.yaml]\nx{i}: 1\n" : $"x{i}: 1\n");
        ws.Write("recipe.yaml", "include: [f0.yaml]\nrecipe: diamond\n");
        var clock = Stopwatch.StartNew();
        var result = Run(ws, "validate", "recipe.yaml");
        Refused(result, 2, "expands the recipe past 256 files or 16 MiB (files included more than once count each time); include each file once");
        Assert.Equal(2, result.Stderr.TrimEnd().Split('\n').Length);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public void ARunReferenceFarBeyondTheRecordsIsExit2()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Run(ws, "build", "recipe.yaml").ExitCode);
        var result = Run(ws, "diff", "HEAD~99999999999", "HEAD");
        Refused(result, 2, "error: HEAD~99999999999: only 1 run recorded (HEAD to HEAD~0)");
        OneLine(result);
    }

    [Fact]
    public void APlantedRunRecordNeverMakesCacheGcDeleteOutsideTheCache()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Run(ws, "build", "recipe.yaml").ExitCode);
        var victim = ws.Write("victim.json", "not the cache's");
        var runs = ws.Path_(".recipes/runs");
        var record = Directory.EnumerateFiles(runs).Single();
        // Ids that lead out of runs/ through the path the record is deleted by; and one record listing a node twice.
        File.WriteAllText(Path.Combine(runs, "20200101T000000000Z-aaaaaa.json"), File.ReadAllText(record)
            .Replace($"\"id\": \"{Path.GetFileNameWithoutExtension(record)}\"", "\"id\": \"../../victim\"", StringComparison.Ordinal));
        var twice = File.ReadAllText(record).Replace($"\"id\": \"{Path.GetFileNameWithoutExtension(record)}\"", "\"id\": \"20200101T000000000Z-bbbbbb\"", StringComparison.Ordinal);
        var node = twice.Split('\n').First(l => l.Contains("\"stage\":\"simulate\"", StringComparison.Ordinal) && l.EndsWith(',')); // one node per line
        File.WriteAllText(Path.Combine(runs, "20200101T000000000Z-bbbbbb.json"), twice.Replace(node, node + "\n" + node, StringComparison.Ordinal));

        var listed = Run(ws, "runs");
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("warning: run record 20200101T000000000Z-aaaaaa.json skipped: its id is not a plain file name", listed.Stderr, StringComparison.Ordinal);
        Assert.Contains("warning: run record 20200101T000000000Z-bbbbbb.json skipped: it lists node 'simulate/", listed.Stderr, StringComparison.Ordinal);
        Refused(Run(ws, "diff", "HEAD", "20200101T000000000Z-bbbbbb"), 2, "error: no run '20200101T000000000Z-bbbbbb'");

        var gc = Run(ws, "cache", "gc", "--keep-runs", "0");
        Assert.True(gc.ExitCode == 0, gc.Stderr);
        Assert.True(File.Exists(victim), "cache gc deleted a file outside the cache");
        Assert.False(File.Exists(record), "the real record is trimmed");
    }

    [Fact]
    public void APipeAsARunRecordBlocksNeitherRunsNorGc()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Run(ws, "build", "recipe.yaml").ExitCode);
        Mkfifo(ws.Path_(".recipes/runs/20200101T000000000Z-cccccc.json"));
        var listed = Run(ws, "runs");
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("20200101T000000000Z-cccccc.json skipped: is empty or not a regular file", listed.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, Run(ws, "cache", "gc", "--keep-runs", "5").ExitCode);
        Assert.Equal(0, Run(ws, "build", "recipe.yaml").ExitCode);
    }

    [Fact]
    public void PipesPlantedAsCacheEntriesAndBlobsAreMissesNotHangs()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Run(ws, "build", "recipe.yaml").ExitCode);
        // Every file of the entry store (packs, their indexes and locks, the change counter; one-file entries) becomes a
        // pipe, and the build state that would let a build skip reading them goes.
        var stored = StoredEntries.Count(ws.Path_(".recipes"));
        Assert.True(stored > 0);
        var planted = StoredEntries.AsFiles(ws.Path_(".recipes")).Concat(Directory.GetFiles(ws.Path_(".recipes/packs"))).ToList();
        foreach (var entry in planted)
        {
            File.Delete(entry);
            Mkfifo(entry);
        }
        Directory.Delete(ws.Path_(".recipes/state"), recursive: true);
        var rebuilt = Run(ws, "build", "recipe.yaml", "--json");
        Assert.True(rebuilt.ExitCode == 0, rebuilt.Stderr);
        Assert.Equal(stored, System.Text.Json.Nodes.JsonNode.Parse(rebuilt.LastLine)!["executed"]!.GetValue<int>());

        // Every blob becomes a pipe: copying them into a fresh out/ finds them wrong (never opened) and rebuilds.
        foreach (var blob in Directory.GetFiles(ws.Path_(".recipes/cas"), "*", SearchOption.AllDirectories))
        {
            File.Delete(blob);
            Mkfifo(blob);
        }
        Directory.Delete(ws.Path_("out"), recursive: true);
        var restored = Run(ws, "build", "recipe.yaml");
        Assert.True(restored.ExitCode == 0, restored.Stderr);
        Assert.Contains("does not match its hash; quarantined", restored.Stderr, StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFiles(ws.Path_("out"), "*.csv", SearchOption.AllDirectories));
    }

    [Fact]
    public void EscapeSequencesInASetValueReachNoTerminalRaw()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Run(ws, "build", "recipe.yaml").ExitCode);
        const string Evil = "\u001b[31mRED\u001b]0;pwned\u0007";
        Assert.Equal(0, Run(ws, "build", "recipe.yaml", "--set", "base_case.params.note=" + Evil).ExitCode);
        foreach (var args in new[] { new[] { "runs" }, ["diff", "HEAD~1", "HEAD"], ["status", "recipe.yaml"], ["status", "recipe.yaml", "--all"] })
        {
            var result = Run(ws, args);
            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.DoesNotContain('\u001b', result.Stdout + result.Stderr);
            Assert.DoesNotContain('\u0007', result.Stdout + result.Stderr);
        }
        Assert.Contains("\\x1b[31mRED", Run(ws, "diff", "HEAD~1", "HEAD").Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACacheLocationThatIsAFileIsExit2NamingIt(bool underIt)
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var file = ws.Write("not-a-dir", "x");
        var cache = underIt ? Path.Combine(file, "cache") : file;
        foreach (var args in new[] { new[] { "build", "recipe.yaml" }, ["status", "recipe.yaml"], ["runs"] })
        {
            var result = Support.Cli.Run(ws.Root, new Dictionary<string, string> { ["RECIPES_CACHE"] = cache }, TimeSpan.FromMinutes(2), args);
            Refused(result, 2, underIt
                ? $"error: cache directory {cache} (RECIPES_CACHE): lies under {file}, which is a file; give a directory (it is created if missing)"
                : $"error: cache directory {cache} (RECIPES_CACHE): is a file, not a directory; give a directory (it is created if missing)");
            OneLine(result);
        }
    }

    [SmallDiskFact]
    public void AReadOnlyCacheServesANoOpBuildAndStatus()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        using var disk = new SmallDisk(16 * 1024);
        var cache = Path.Combine(disk.Path, "cache");
        Assert.Equal(0, Run(ws, "build", "recipe.yaml", "--cache", cache).ExitCode);
        ReadOnly(disk.Path);

        var build = Run(ws, "build", "recipe.yaml", "--cache", cache, "--json");
        Assert.True(build.ExitCode == 0, build.Stderr);
        Assert.Contains("warning: could not write run record", build.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"executed\":0", build.LastLine, StringComparison.Ordinal);
        var status = Run(ws, "status", "recipe.yaml", "--cache", cache);
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains("sweep: up to date", status.Stdout, StringComparison.Ordinal);
        // A build that must run a node cannot use it: one line naming the path, exit 2.
        var changed = Run(ws, "build", "recipe.yaml", "--cache", cache, "--set", "parameters.space.a.choice=[7]");
        Refused(changed, 2, $"Read-only file system : '{cache}/");
        Assert.Contains("; check that the cache (--cache) and output (--out) directories are writable", changed.Stderr, StringComparison.Ordinal);
    }

    private static void ReadOnly(string mountPoint)
    {
        using var remount = Process.Start("mount", ["-o", "remount,ro", mountPoint]);
        remount.WaitForExit();
        Assert.Equal(0, remount.ExitCode);
    }
}
