using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Plugins;
using Recipes.Tests.Support;

namespace Recipes.Tests.Exec;

/// <summary>The exec solver's sandbox, timeouts, retries, failure checks and simulator identity, with small shell scripts as simulators.</summary>
public sealed class ExecSolverTests
{
    private static void Recipe(Workspace ws, string simulate)
    {
        ws.Write("base/input.txt.sbn", "a={{ a }}\n");
        ws.Write("recipe.yaml", $$"""
            recipe: exec
            base_case: { dir: base/ }
            parameters:
              space:
                a: { choice: [1, 2] }
            stages:
              simulate:
                solver: exec
            {{simulate}}
            """);
    }

    private static string Message(BuildResult result) =>
        string.Join("\n", result.States.Messages.Where(m => m is not null));

    [Fact]
    public void ACommandPastItsTimeoutIsKilledAndFailsTheNode()
    {
        using var ws = new Workspace();
        Recipe(ws, "    command: sleep 30\n    outputs: [input.txt]\n    timeout: 0.5");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = ws.BuildWith(new BuildOptions { Jobs = 2, KeepGoing = true });
        Assert.Equal(2, result.Summary.Failed);
        Assert.Contains("timed out after 0.5 s", Message(result));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the sleeping command should have been killed");
    }

    [Fact]
    public void DeclaredTransientFailuresAreRetriedFromACleanCopy()
    {
        using var ws = new Workspace();
        var counter = ws.Path_("attempts");
        Recipe(ws, $$"""
                command: 'test ! -e leftover || exit 9; touch leftover; n=$(cat "$COUNTER.$RECIPES_PARAM_A" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNTER.$RECIPES_PARAM_A"; [ $n -ge 2 ] || exit 75; cp input.txt out.txt'
                outputs: [out.txt]
                retries: 2
                retry_on: [75]
                env: { COUNTER: {{counter}} }
            """);
        var result = ws.Build();
        BuildAssert.NoFailures(result);
        Assert.Equal("2", File.ReadAllText(counter + ".1").Trim());
        Assert.Equal("2", File.ReadAllText(counter + ".2").Trim());
    }

    [Fact]
    public void UndeclaredFailuresAreNotRetried()
    {
        using var ws = new Workspace();
        var counter = ws.Path_("attempts");
        Recipe(ws, $$"""
                command: 'n=$(cat "$COUNTER.$RECIPES_PARAM_A" 2>/dev/null || echo 0); echo $((n+1)) > "$COUNTER.$RECIPES_PARAM_A"; exit 3'
                outputs: [out.txt]
                retries: 2
                retry_on: [75, timeout]
                env: { COUNTER: {{counter}} }
            """);
        var result = ws.BuildWith(new BuildOptions { Jobs = 2, KeepGoing = true });
        Assert.Equal(2, result.Summary.Failed);
        Assert.Equal("1", File.ReadAllText(counter + ".1").Trim());
        Assert.Contains("exited with code 3", Message(result));
    }

    [Fact]
    public void AMissingDeclaredOutputFailsTheNode()
    {
        using var ws = new Workspace();
        Recipe(ws, "    command: cp input.txt out.txt\n    outputs: [out.txt, result.json]");
        var result = ws.BuildWith(new BuildOptions { Jobs = 2, KeepGoing = true });
        Assert.Equal(2, result.Summary.Failed);
        Assert.Contains("declared output 'result.json' matched no file", Message(result));
    }

    [Theory]
    [InlineData("printf '0.1,nan\\n' > out.csv", "out.csv")]
    [InlineData("printf '{\"x\": -Infinity}' > out.csv", "out.csv")]
    public void NonFiniteNumbersInDeclaredNumericOutputsFailTheNode(string command, string file)
    {
        using var ws = new Workspace();
        Recipe(ws, $"    command: \"{command.Replace("\"", "\\\"")}\"\n    outputs: [{file}]\n    numeric_outputs: [{file}]");
        var result = ws.BuildWith(new BuildOptions { Jobs = 2, KeepGoing = true });
        Assert.Equal(2, result.Summary.Failed);
        Assert.Contains("holds NaN or infinity", Message(result));
    }

    [Fact]
    public void AnOutputLinkOutOfTheSandboxIsRejected()
    {
        using var ws = new Workspace();
        Recipe(ws, "    command: ln -s /etc/hostname out.txt\n    outputs: [out.txt]");
        var result = ws.BuildWith(new BuildOptions { Jobs = 2, KeepGoing = true });
        Assert.Equal(2, result.Summary.Failed);
        Assert.Contains("leads out of the sandbox through a symbolic link", Message(result));
    }

    [Fact]
    public void AnOutputGlobThroughADirectoryLinkedOutOfTheSandboxIsRejected()
    {
        using var ws = new Workspace();
        var outside = Directory.CreateDirectory(ws.Path_("outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "outside");
        Recipe(ws, $"    command: ln -s {outside} d\n    outputs: ['d/*']");
        var result = ws.BuildWith(new BuildOptions { Jobs = 2, KeepGoing = true });
        Assert.Equal(2, result.Summary.Failed);
        Assert.Contains("output 'd/secret.txt' leads out of the sandbox through a symbolic link", Message(result));
    }

    [Fact]
    public void ABaseCaseLinkOutIsRejectedBeforeAnythingRuns()
    {
        using var ws = new Workspace();
        Recipe(ws, "    command: cp input.txt out.txt\n    outputs: [out.txt]");
        File.CreateSymbolicLink(ws.Path_("base/secret"), "/etc/hostname");
        var result = Support.Cli.Run(ws.Root, "build", "recipe.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("base case file 'secret' leads out of the base case through a symbolic link (to /etc/hostname)", result.Stderr);
        Assert.False(Directory.Exists(ws.CacheDir));
    }

    [Fact]
    public void ABaseCaseDirectoryLinkedOutsideIsRejectedAndNothingOfItReachesTheCache()
    {
        using var ws = new Workspace();
        Recipe(ws, "    command: cp input.txt out.txt\n    outputs: [out.txt]");
        var outside = Directory.CreateDirectory(ws.Path_("outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "do not publish");
        Directory.CreateSymbolicLink(ws.Path_("base/sub"), outside);
        var result = Support.Cli.Run(ws.Root, "build", "recipe.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("base case file 'sub/secret.txt' leads out of the base case through a symbolic link", result.Stderr);
        Assert.False(Directory.Exists(ws.CacheDir));
    }

    [Fact]
    public void ABaseCaseDirectoryThatIsItselfALinkIsRejected()
    {
        using var ws = new Workspace();
        Recipe(ws, "    command: cp input.txt out.txt\n    outputs: [out.txt]");
        Directory.Move(ws.Path_("base"), ws.Path_("real-base"));
        Directory.CreateSymbolicLink(ws.Path_("base"), ws.Path_("real-base"));
        var result = Support.Cli.Run(ws.Root, "validate", "recipe.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("base_case.dir 'base/' is a symbolic link", result.Stderr + result.Stdout);
    }

    [Fact]
    public void ALinkInsideTheBaseCaseThatStaysInsideIsFollowed()
    {
        using var ws = new Workspace();
        Recipe(ws, "    command: cat data/values.txt alias.txt > out.txt\n    outputs: [out.txt]");
        ws.Write("base/data/values.txt", "42\n");
        File.CreateSymbolicLink(ws.Path_("base/alias.txt"), "data/values.txt");
        var result = ws.Build();
        BuildAssert.NoFailures(result);
        var produced = Directory.EnumerateFiles(ws.OutDir, "out.txt", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(produced);
        Assert.All(produced, f => Assert.Equal("42\n42\n", File.ReadAllText(f)));
    }

    [Fact]
    public void AnAbsoluteTemplateTargetIsRejectedBeforeAnythingRuns()
    {
        using var ws = new Workspace();
        Recipe(ws, "    command: cp input.txt out.txt\n    outputs: [out.txt]");
        ws.Write("recipe.yaml", File.ReadAllText(ws.Path_("recipe.yaml")).Replace("base_case: { dir: base/ }", "base_case: { dir: base/, templates: [/etc/*.conf, ../x.sbn] }"));
        var result = Support.Cli.Run(ws.Root, "validate", "recipe.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'/etc/*.conf' would reach outside the base case", result.Stderr);
        Assert.Contains("'../x.sbn' would reach outside the base case", result.Stderr);
    }

    [Fact]
    public void TheSimulatorsIdentityIsPartOfTheKey()
    {
        using var ws = new Workspace();
        var versionFile = ws.Write("simulator-version", "solver 1.0\n");
        Recipe(ws, $"    command: cp input.txt out.txt\n    outputs: [out.txt]\n    version: cat {versionFile}");
        BuildAssert.NoFailures(ws.Build());
        Assert.Equal(0, ws.Build().Summary.Executed);

        File.WriteAllText(versionFile, "solver 1.1\n");
        var status = JsonNode.Parse(Support.Cli.Run(ws.Root, "status", "recipe.yaml", "--json").LastLine)!;
        var reasons = status["stale_nodes"]!.AsArray().First(n => n!["node"]!.GetValue<string>() == "simulate/000000")!["reasons"]!.ToJsonString();
        Assert.Contains("simulator identity changed", reasons);
        Assert.Contains("solver 1.1", reasons);
        var rebuilt = ws.Build();
        Assert.Equal(2, Workspace.Executed(rebuilt, StageNames.Simulate));
        Assert.Equal(0, Workspace.Executed(rebuilt, StageNames.Render));
    }

    [Fact]
    public void AFailingVersionCommandIsARecipeError()
    {
        using var ws = new Workspace();
        Recipe(ws, "    command: cp input.txt out.txt\n    outputs: [out.txt]\n    version: exit 4");
        var result = Support.Cli.Run(ws.Root, "build", "recipe.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the version command exited with code 4", result.Stderr);
    }
}
