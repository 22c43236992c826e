using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Cli;
using Recipes.Diagnostics;
using Recipes.Escaping;
using Recipes.Plugins;
using Recipes.Plugins.Files;
using Recipes.Reading;
using Recipes.Recipe;
using Recipes.Runs;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// Each defect the fuzz suite found (docs/security.md, "Fuzz suite"), pinned as the smallest input that showed it.
/// Every one of these threw an exception, printed a raw control character or a second line, or wrote JSON that could
/// not be written, before its fix.
/// </summary>
public sealed class FuzzRegressionTests : IDisposable
{
    private readonly FuzzDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AJsonFileNamingAFieldTwiceIsRefusedNotACrash()
    {
        var error = Assert.Throws<RefusedFileException>(() => BoundedJson.ParseObject("{\"slurm\": {}, \"slurm\": {\"cpus\": 4}}"u8, "p.json"));
        Assert.StartsWith("p.json: is not valid JSON (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AJsonFileThatIsNotUtf8OrHoldsALoneSurrogateIsRefused()
    {
        Assert.Equal("is not UTF-8 text", Assert.Throws<RefusedFileException>(() => BoundedJson.ParseObject([(byte)'{', (byte)'"', 0xF4, (byte)'"', (byte)':', (byte)'1', (byte)'}'], "r.json")).Reason);
        Assert.StartsWith("holds text that is not valid Unicode", Assert.Throws<RefusedFileException>(() => BoundedJson.ParseObject("{\"a\": [\"\\ud800\"]}"u8, "r.json")).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AYamlScannerFailureIsOneSyntaxErrorNotACrash()
    {
        // The fuzz suite's case: two spans of the recipe repeated, which leaves a plain scalar cut inside a flow sequence.
        var text = ByteMutation.ApplyAll(Encoding.UTF8.GetBytes(RecipeFuzzTests.Recipe), [new ByteMutation(3, 1991565665, 193, "a//b"), new ByteMutation(3, 1206830344, 57, "G)>")]);
        var path = Path.Combine(_dir.NewCase(), "recipe.yaml");
        File.WriteAllBytes(path, text);
        var error = Assert.Throws<RecipeException>(() => new RecipeLoader(RecipeSession.Registry).Load(path));
        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Contains("YAML syntax error", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANulCharacterInARecipeValueIsOneErrorNotACrash()
    {
        // The long run's case: --set base_case.dir=<NUL> made Path.GetFullPath throw while the base case was bound.
        var root = _dir.NewCase();
        Directory.CreateDirectory(Path.Combine(root, "base"));
        var path = Path.Combine(root, "recipe.yaml");
        File.WriteAllText(path, RecipeFuzzTests.Recipe);
        var error = Assert.Throws<RecipeException>(() => new RecipeLoader(RecipeSession.Registry).Load(path, ["base_case.dir=\0"]));
        Assert.Equal("(command line):1:1: error: base_case.dir holds a NUL character (\\x00); no file name, command or value can",
            RecipeSession.Format(Assert.Single(error.Diagnostics), ErrorFormat.Text));
        Assert.Contains(error.Diagnostics, d => d.Message.Contains("NUL", StringComparison.Ordinal));
    }

    [Fact]
    public void ABaseCaseDirOfTheWholeFileSystemIsOneErrorNotACrash()
    {
        // The second long run's case: --set base_case.dir=/ listed the file system until /proc/1/map_files threw.
        var root = _dir.NewCase();
        var path = Path.Combine(root, "recipe.yaml");
        File.WriteAllText(path, RecipeFuzzTests.Recipe);
        var error = Assert.Throws<RecipeException>(() => new RecipeLoader(RecipeSession.Registry).Load(path, ["base_case.dir=/"]));
        var diagnostic = Assert.Single(error.Diagnostics, d => d.Message.StartsWith("base_case.dir '/'", StringComparison.Ordinal));
        Assert.Matches("cannot be listed|holds more than 100000 files", diagnostic.Message);
    }

    [Fact]
    public void ARemoteCacheUrlWithEscapeSequencesIsShownNotExecuted()
    {
        var project = _dir.NewCase();
        File.WriteAllText(Path.Combine(project, ".recipes.json"), "{\"remote_cache\": {\"url\": \"\\u001b[31mRED\\u001b]0;t\\u0007\"}}");
        var error = Assert.Throws<FormatException>(() => global::Recipes.Remote.RemoteCacheSettings.Resolve(null, null, Configuration.ProjectRoot.Find(null, project)));
        Assert.Equal("remote cache URL '\\x1b[31mRED\\x1b]0;t\\x07' is not an http(s) URL", error.Message);
    }

    [Fact]
    public void ABundleMemberNamedWithALineBreakIsOneCleanProblem()
    {
        var root = _dir.NewCase();
        var archive = Path.Combine(root, "bundle.zip");
        using (var zip = ZipFile.Open(archive, ZipArchiveMode.Create))
        {
            zip.CreateEntry(CacheBundle.ManifestName);
            using var blob = zip.CreateEntry("cas/d10b59edd9c0b6d6db10d319\n769ee5c\u001b[2J").Open();
            blob.Write("x"u8);
        }
        var report = CacheBundle.Import(archive, new CacheStore(Path.Combine(root, "cache")));
        Assert.Equal("blob d10b59edd9c0b6d6db10d319\\x0a769ee5c\\x1b[2J does not match its hash", Assert.Single(report.Problems));
    }

    [Fact]
    public void ANpyHeaderQuotingItsDataFailsTheNodeInOneLine()
    {
        var path = Path.Combine(_dir.NewCase(), "blob");
        using (var file = File.Create(path))
        {
            file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            var header = Encoding.Latin1.GetBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4\n\u0000\u001b[2J), }\n");
            file.Write(BitConverter.GetBytes((ushort)header.Length));
            file.Write(header);
        }
        var error = Assert.Throws<PluginException>(() => SampleInput.Read("simulate/000001", new Artifact("input.npy", path, "h"), Plugins.Formats.NpyFile.Read));
        Assert.Equal("simulate/000001: input.npy: its shape holds '4\\x0a\\x00\\x1b[2J', not a whole non-negative number", error.Message);
    }

    [Fact]
    public void ARecipeNameWithABidiOverrideIsShownEscaped()
    {
        var root = _dir.NewCase();
        var path = Path.Combine(root, "recipe.yaml");
        File.WriteAllText(path, RecipeFuzzTests.Recipe.Replace("recipe: sweep", "recipe: s\u202eweep", StringComparison.Ordinal));
        var error = Assert.Throws<RecipeException>(() => new RecipeLoader(RecipeSession.Registry).Load(path));
        var shown = RecipeSession.Format(error.Diagnostics.First(d => d.Message.Contains("is not valid", StringComparison.Ordinal)), ErrorFormat.Text);
        Assert.Contains("recipe: 's\\u202eweep' is not valid", shown, StringComparison.Ordinal);
        Assert.DoesNotContain(shown, TerminalText.NeedsEscape);
    }

    private static JsonObject Record(string id) => new RunRecord
    {
        Id = id, Status = RunStatus.Completed, Started = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), Recipe = "x", RecipePath = "/nowhere/x.yaml",
        PlanKey = new string('a', 32), Executor = "local", Pid = 1, Host = "elsewhere", Stages = [new RunStage("simulate", 1, 1, 0, 0, 0, 0.5, 0.5)],
    }.ToJson();

    [Fact]
    public void ARunRecordWithAnUnknownStageOrNonFiniteNumbersIsListedDiffedAndWrittenAsJson()
    {
        var store = new RunStore(_dir.NewCase()) { Warn = _ => { } };
        Directory.CreateDirectory(store.Root);
        var a = Record("20260102T030405000Z-aaaaaa");
        a["stages"]!.AsArray().Add(new JsonObject { ["stage"] = "", ["nodes"] = 1 });
        var text = a.ToJsonString().Replace("\"seconds\":0,\"peak_rss_bytes\"", "\"seconds\":1e999,\"peak_rss_bytes\"", StringComparison.Ordinal)
            .Replace("\"metrics\":{}", "\"metrics\":{\"dataset.rows\":-1e308}", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(store.Root, "20260102T030405000Z-aaaaaa.json"), text);
        var b = Record("20260102T030406000Z-bbbbbb");
        b["metrics"] = new JsonObject { ["dataset.rows"] = 1e308 };
        File.WriteAllText(Path.Combine(store.Root, "20260102T030406000Z-bbbbbb.json"), b.ToJsonString());

        var runs = store.List();
        Assert.Equal(2, runs.Count);
        Assert.Equal(["simulate"], runs[1].Stages.Select(s => s.Stage));
        var diff = RunDiff.Between(runs[1], runs[0], null);
        Assert.Null(Assert.Single(diff.Metrics).Delta);
        Assert.Contains("\"dataset.rows\"", diff.ToJson().ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("\"seconds\":", runs[1].ToJson().ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ARunRecordFileNamedWithALineBreakIsOneWarningLine()
    {
        var warnings = new List<string>();
        var store = new RunStore(_dir.NewCase()) { Warn = warnings.Add };
        Directory.CreateDirectory(store.Root);
        File.WriteAllText(Path.Combine(store.Root, "\r\n.json"), "{");
        Assert.Empty(store.List());
        Assert.StartsWith("run record \\x0d\\x0a.json skipped: is not valid JSON", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void ANonFiniteSlurmSettingIsRefused()
    {
        var config = new ValueMap([new("default_seconds", JsonNode.Parse("1e999"))]);
        Assert.Equal("slurm.default_seconds must be a finite number of seconds, not Infinity",
            Assert.Throws<FormatException>(() => global::Recipes.Cluster.SlurmSettings.From(config, null)).Message);
    }

    [Fact]
    public void ALocalEntryWithInfiniteSecondsIsAMissNotAnExportCrash()
    {
        var cache = new CacheStore(_dir.NewCase());
        var entry = new ActionEntry
        {
            Key = new string('0', 32), Node = "n", Stage = "simulate", Plugin = "exec", Version = 1, Spec = "{}", Inputs = [], Outputs = [], Seconds = 1,
        };
        var text = Encoding.UTF8.GetString(ActionEntrySerializer.Serialize(entry)).Replace("\"seconds\":1", "\"seconds\":1e999", StringComparison.Ordinal);
        AtomicFile.WriteAllText(cache.Actions.PathOf(entry.Key), text);
        Assert.Null(cache.Actions.TryGet(entry.Key));
    }

    [Fact]
    public void AnUnpairedSurrogateIsEscapedForTerminalsAndCards()
    {
        Assert.Equal("a\\ud800b\\udc00", TerminalText.Clean("a\ud800b\udc00"));
        Assert.Equal("\ud83d\ude00", TerminalText.Clean("\ud83d\ude00"));
        var strict = new UTF8Encoding(false, true);
        Assert.Equal("\\\\ud800", MarkdownText.Text("\ud800"));
        Assert.Equal(7, strict.GetByteCount(MarkdownText.Text("\ud800")));
    }

    [Fact]
    public void APipeAsTheBundleIsRefusedWithoutBlocking()
    {
        var root = _dir.NewCase();
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(root, "bundle.zip")])) mkfifo.WaitForExit();
        var result = Support.Cli.Run(root, null, TimeSpan.FromSeconds(60), "cache", "import", "bundle.zip");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: bundle.zip: is empty or not a regular file (a pipe, a socket or a device)", result.Stderr.TrimEnd());
    }

    [Fact]
    public void ACsvColumnNamedWithALineBreakFailsInOneLine()
    {
        var root = _dir.NewCase();
        File.WriteAllText(Path.Combine(root, "result.json"), "{\"value\": 1}");
        var sample = new UpstreamArtifacts("simulate/000000", StageNames.Simulate, 0, "000000", new ValueMap([new("\n", JsonValue.Create("NaN"))]),
            [new Artifact("result.json", Path.Combine(root, "result.json"), "h")]);
        var error = Assert.Throws<PluginException>(() => new global::Recipes.Stages.Tables.CsvDatasetStage().RunAsync(new PluginContext
        {
            NodeId = "dataset", Stage = StageNames.Dataset, Settings = ValueMap.Empty, Parameters = ValueMap.Empty, Seed = 1, Upstream = [sample],
            WorkDirectory = root, OutputDirectory = root, Log = TextWriter.Null, Metrics = new Dictionary<string, JsonNode?>(), Threads = 1, Device = DeviceKind.Cpu,
        }, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Equal("simulate/000000: \\x0a is NaN, not a finite number; nothing non-finite is written to the dataset", error.Message);
    }
}
