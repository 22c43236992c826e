using System.Diagnostics;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Graph;
using Recipes.Runs;
using Recipes.Tests.Support;

namespace Recipes.Tests.Runs;

/// <summary>
/// Run records and manifests carry the tool version and, for a recipe inside a Git repository, its commit and dirty
/// flag; outside a repository the fields are absent, and none of it changes an action key.
/// </summary>
public sealed class RunVersionTests
{
    [Fact]
    public void ARecipeInARepositoryRecordsItsCommitThenDirtyAfterAnEdit()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var commit = CommitAll(ws.Root);
        var store = new RunStore(ws.CacheDir);

        using (var recorder = RunRecorder.Begin(store, GraphPlanner.Plan(ws.Load()), [], "local", sampleMemory: false, outputRoot: ws.OutDir))
        {
            var record = store.Resolve(recorder.Record.Id);
            Assert.Equal(commit, record.Source?.Commit);
            // The cache the recorder just wrote into sits untracked inside the repository: it does not count as an edit.
            Assert.False(record.Source?.Dirty);
            Assert.StartsWith(Versions.ToolVersion.Informational, record.ToolVersion, StringComparison.Ordinal);
            Assert.Equal(commit, record.ToJson()["git_commit"]?.GetValue<string>());
        }

        ws.Write("base/input.txt.sbn", "a={{ a }} b={{ b }} edited\n");
        using (var recorder = RunRecorder.Begin(store, GraphPlanner.Plan(ws.Load()), [], "local", sampleMemory: false, outputRoot: ws.OutDir))
        {
            var record = store.Resolve(recorder.Record.Id);
            Assert.Equal(commit, record.Source?.Commit);
            Assert.True(record.Source?.Dirty);
        }
    }

    [Fact]
    public void OutsideARepositoryTheFieldsAreAbsent()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var store = new RunStore(ws.CacheDir);
        using var recorder = RunRecorder.Begin(store, GraphPlanner.Plan(ws.Load()), [], "local", sampleMemory: false);
        var json = store.Resolve(recorder.Record.Id).ToJson();
        Assert.Null(store.Resolve(recorder.Record.Id).Source);
        Assert.False(json.ContainsKey("git_commit"));
        Assert.False(json.ContainsKey("git_dirty"));
        Assert.NotNull(json["tool_version"]);
    }

    [Fact]
    public void ARepositoryChangesNoActionKey()
    {
        using var plain = new Workspace();
        SampleRecipes.Sweep(plain);
        using var repo = new Workspace();
        SampleRecipes.Sweep(repo);
        CommitAll(repo.Root);
        repo.Write("notes.txt", "not part of the recipe, but it makes the tree dirty\n");
        var a = GraphPlanner.Plan(plain.Load());
        var b = GraphPlanner.Plan(repo.Load());
        Assert.Equal(PlanKey.Compute(a), PlanKey.Compute(b));

        // Built through the CLI in the repository: the manifest and the record name the commit, the keys are those of the plain tree.
        var built = Support.Cli.Run(repo.Root, "build", "recipe.yaml", "--json");
        Assert.Equal(0, built.ExitCode);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(repo.OutDir, "sweep", "manifest.json")))!;
        Assert.Equal(Git(repo.Root, "rev-parse", "HEAD").Trim(), manifest["git_commit"]?.GetValue<string>());
        Assert.True(manifest["git_dirty"]?.GetValue<bool>());
        Assert.NotNull(manifest["tool_version"]);
        var record = new RunStore(repo.CacheDir).Resolve("HEAD");
        Assert.Equal(PlanKey.Compute(a), record.PlanKey);
        Assert.True(record.Source?.Dirty);
    }

    [Fact]
    public void WithoutGitTheFieldsAreAbsentAndTheBuildSucceeds()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        CommitAll(ws.Root);
        // A PATH with dotnet and the two programs the sweep's command runs, and no git to ask.
        var dotnet = Path.GetDirectoryName(Environment.ProcessPath)!;
        Assert.False(File.Exists(Path.Combine(dotnet, "git")), "this test needs a dotnet folder without git in it");
        var tools = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "recipes-tests", "no-git-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        foreach (var program in new[] { "cat", "wc" })
            File.CreateSymbolicLink(Path.Combine(tools, program), new[] { "/usr/bin/" + program, "/bin/" + program }.First(File.Exists));
        var built = Support.Cli.Run(ws.Root, new Dictionary<string, string> { ["PATH"] = $"{dotnet}:{tools}" }, "build", "recipe.yaml");
        Directory.Delete(tools, recursive: true);
        Assert.True(built.ExitCode == 0, built.Stderr);
        var record = new RunStore(ws.CacheDir).Resolve("HEAD");
        Assert.Null(record.Source);
        Assert.NotNull(record.ToolVersion);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.OutDir, "sweep", "manifest.json")))!.AsObject();
        Assert.False(manifest.ContainsKey("git_commit"));
    }

    /// <summary>Makes <paramref name="root"/> a repository with everything in it committed; returns the commit.</summary>
    internal static string CommitAll(string root)
    {
        Git(root, "init", "-q");
        Git(root, "add", "-A");
        Git(root, "-c", "user.name=tests", "-c", "user.email=tests@example.invalid", "commit", "-q", "-m", "recipe");
        return Git(root, "rev-parse", "HEAD").Trim();
    }

    internal static string Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', arguments)}: {errors}");
        return output;
    }
}
