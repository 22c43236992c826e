using Recipes.Tests.Support;

namespace Recipes.Tests.Cli;

/// <summary>
/// Acceptance 5: malformed recipes exit with 2, name file:line:col and what to do, and leave no cache behind.
/// Each case writes its files, runs <c>recipes build</c>, and checks the position and the message.
/// </summary>
public sealed class MalformedRecipeTests
{
    private const string Base = """
        recipe: bad
        base_case:
          dir: base/
        parameters:
          space:
            a: { choice: [1, 2] }
        stages:
          simulate: { solver: exec, command: "cat input.txt > out.txt", outputs: [out.txt] }

        """;

    public sealed record Case(string Name, string Recipe, string Expected, string Message, Dictionary<string, string>? Files = null, string[]? Args = null)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        new("bad YAML", "recipe: bad\nparameters: [a, b\n", "recipe.yaml:3:1", "YAML syntax error"),
        new("unknown top-level key", "recipe: bad\nparamters: {}\n", "recipe.yaml:2:1", "did you mean 'parameters'"),
        new("unknown stage key", Base.Replace("command:", "comand:"), "recipe.yaml:8:29", "did you mean 'command'"),
        new("wrong type", "recipe: bad\nseed: abc\n", "recipe.yaml:2:7", "seed should be an integer"),
        new("empty space", Base.Replace("    a: { choice: [1, 2] }\n", "").Replace("space:", "space: {}"), "recipe.yaml:5:10", "parameters.space is empty"),
        new("inverted int range", Base.Replace("{ choice: [1, 2] }", "{ int: [5, 1] }"), "recipe.yaml:6:15", "inverted range [5, 1]"),
        new("inverted uniform range", Base.Replace("{ choice: [1, 2] }", "{ uniform: [0.9, 0.1] }").Replace("space:", "sampler: random\n  samples: 3\n  space:"), "recipe.yaml:8:19", "inverted range"),
        new("missing template directory", Base.Replace("dir: base/", "dir: nowhere/"), "recipe.yaml:3:8", "base_case.dir 'nowhere/' not found"),
        new("template syntax error", Base, "base/input.txt.sbn:1:", "template error", new() { ["base/input.txt.sbn"] = "a={{ a + }}\n" }),
        new("undefined template variable", Base, "base/input.txt.sbn:2:", "template error", new() { ["base/input.txt.sbn"] = "a={{ a }}\nb={{ missing_value }}\n" }),
        new("include cycle", "recipe: bad\ninclude: one.yaml\n", "one.yaml:1:10", "include cycle: recipe.yaml -> one.yaml -> recipe.yaml", new() { ["one.yaml"] = "include: recipe.yaml\n" }),
        new("missing include", "recipe: bad\ninclude: [gone.yaml]\n", "recipe.yaml:2:11", "included file 'gone.yaml' not found"),
        new("duplicate parameter", Base.Replace("  dir: base/", "  dir: base/\n  params: { a: 3 }"), "recipe.yaml:7:5", "duplicate parameter 'a'"),
        new("duplicate key", Base.Replace("    a: { choice: [1, 2] }", "    a: { choice: [1, 2] }\n    a: 4"), "recipe.yaml:7:5", "duplicate key 'a'"),
        new("unknown sampler", Base.Replace("space:", "sampler: sobel\n  space:"), "recipe.yaml:5:12", "did you mean 'sobol'"),
        new("unknown solver", Base.Replace("solver: exec", "solver: exce"), "recipe.yaml:8:23", "did you mean 'exec'"),
        new("missing recipe name", Base.Replace("recipe: bad\n", ""), "recipe.yaml:1:1", "so this file is a fragment for include:; add 'recipe: NAME' to build it"),
        // Reported at the file that was built, not at the fragment it includes (whose first key once took the blame).
        new("nameless recipe of fragments", "include: part.yaml\nparameters: { samples: 2 }\n", "recipe.yaml:1:1", "add 'recipe: NAME' to build it",
            new() { ["part.yaml"] = "# shared part\nseed: 4\n" + Base.Replace("recipe: bad\n", "") }),
        new("unknown stage device", Base.Replace("outputs: [out.txt] }", "outputs: [out.txt], device: gpu }"), "recipe.yaml:8:", "stages.simulate.device"),
        new("unknown execution device", Base + "execution: { device: gpu }\n", "recipe.yaml:9:22", "execution.device: unknown value 'gpu'"),
        new("invalid recipe name", Base.Replace("recipe: bad", "recipe: My Recipe"), "recipe.yaml:1:9", "is not valid"),
        new("non-positive log range", Base.Replace("{ choice: [1, 2] }", "{ log_uniform: [0, 1] }").Replace("space:", "samples: 2\n  space:"), "recipe.yaml:7:23", "bounds must be positive"),
        new("negative deviation", Base.Replace("{ choice: [1, 2] }", "{ normal: [0, -1] }").Replace("space:", "samples: 2\n  space:"), "recipe.yaml:7:22", "standard deviation must be positive"),
        new("grid without steps", Base.Replace("{ choice: [1, 2] }", "{ uniform: [0, 1] }"), "recipe.yaml:6:8", "needs 'steps: N'"),
        new("linked lengths differ", Base.Replace("{ choice: [1, 2] }", "{ linked: { w: [1, 2], h: [3] } }"), "recipe.yaml:6:18", "the same length"),
        new("derived syntax error", Base.Replace("  space:", "  derived: { d: \"a * \" }\n  space:"), "recipe.yaml:5:", "template error"),
        new("output escapes sandbox", Base.Replace("outputs: [out.txt]", "outputs: [../out.txt]"), "recipe.yaml:8:74", "would leave the work directory"),
        new("zero samples", Base.Replace("space:", "samples: 0\n  space:"), "recipe.yaml:5:12", "must be at least 1"),
        new("empty choice", Base.Replace("[1, 2]", "[]"), "recipe.yaml:6:18", "is empty"),
        new("adaptive without its settings", Base.Replace("space:", "sampler: adaptive\n  space:"), "recipe.yaml:5:12", "sampler: adaptive needs parameters.adaptive with at least target:"),
        new("adaptive with samples", Base.Replace("space:", "sampler: adaptive\n  samples: 4\n  adaptive: { target: v }\n  space:"), "recipe.yaml:6:12", "the adaptive sampler draws parameters.adaptive.initial samples"),
        new("adaptive pool too small", Base.Replace("space:", "sampler: adaptive\n  adaptive: { target: v, rounds: 4, batch: 8, pool: 16 }\n  space:"), "recipe.yaml:6:53", "pool 16 is smaller than rounds × batch = 32"),
        new("adaptive without target", Base.Replace("space:", "sampler: adaptive\n  adaptive: { rounds: 2 }\n  space:"), "recipe.yaml:6:13", "target"),
        new("unknown acquisition", Base.Replace("space:", "sampler: adaptive\n  adaptive: { target: v, acquisition: ensemble-varience }\n  space:"), "recipe.yaml:6:39", "did you mean 'ensemble-variance'"),

        new("missing required option", Base.Replace(", command: \"cat input.txt > out.txt\"", ""), "recipe.yaml:8:13", "missing required key 'command'"),
        new("dataset without samples", "recipe: bad\nstages:\n  dataset: { format: csv }\n", "recipe.yaml:3:3", "stages.dataset needs per-sample stages"),
        new("recipe is a list", "- recipe: bad\n", "recipe.yaml:1:1", "must be a mapping"),
        new("--set on a mapping", Base, "(command line):1:1", "holds a mapping", Args: ["--set", "parameters=3"]),
        new("--set wrong type", Base, "(command line):1:1", "seed should be an integer", Args: ["--set", "seed=many"]),
        new("slurm option typo", Base + "execution:\n  slurm: { partion: gpu }\n", "recipe.yaml:10:12", "did you mean 'partition'"),
        new("negative slurm throttle", Base + "execution:\n  slurm: { throttle: -1 }\n", "recipe.yaml:10:22", "must be at least 0"),
        new("sharded image folder", Base + "  dataset: { format: image-folder, shard: 10 }\n", "recipe.yaml:9:", "leave dataset.shard unset"),
        new("fractional UNet multipliers", Base + "  dataset: { format: image-folder }\n  train: { model: ddpm, multipliers: [1, 1.5] }\n", "recipe.yaml:10:", "give whole multipliers"),
        new("inverted beta schedule", Base + "  dataset: { format: image-folder }\n  train: { model: ddpm, beta_start: 0.05 }\n", "recipe.yaml:10:", "beta_start must be below beta_end"),
        new("unknown executor", Base, "error: Argument 'kubernetes' not recognized", "'slurm'", Args: ["--executor", "kubernetes"]),
        // Bounded parsing and finite numbers (docs/security.md): hostile or absurd input is bad input, exit 2, never a crash.
        new("billion laughs", "recipe: bad\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(1, 9).Select(i => $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n")),
            "recipe.yaml:", "aliases count at their expanded size"),
        new("deep nesting", "recipe: bad\nx: " + new string('[', 100_000) + new string(']', 100_000) + "\n", "recipe.yaml:2:", "nesting deeper than 100 levels"),
        new("include of a device", "include: /dev/zero\n" + Base, "recipe.yaml:1:10", "is empty or not a regular file (a pipe or a device)"),
        new("infinite uniform bound", Base.Replace("{ choice: [1, 2] }", "{ uniform: [0, .inf] }").Replace("space:", "sampler: random\n  samples: 2\n  space:"), "recipe.yaml:", "must be a finite number, got .inf"),
        new("NaN timeout", Base.Replace("outputs: [out.txt] }", "outputs: [out.txt], timeout: .nan }"), "recipe.yaml:8:", "stages.simulate.timeout must be a finite number, got .nan"),
        new("absurd sample count", Base.Replace("space:", "sampler: random\n  samples: 1000000000000\n  space:"), "recipe.yaml:6:12", "parameters.samples must be at most 100000000"),
        new("int range near the long limits", Base.Replace("{ choice: [1, 2] }", "{ int: [-9000000000000000000, 9000000000000000000] }").Replace("space:", "sampler: random\n  samples: 2\n  space:"),
            "recipe.yaml:", "range too wide"),
        new("empty command list", Base.Replace("command: \"cat input.txt > out.txt\"", "command: []"), "recipe.yaml:8:", "stages.simulate.command is empty"),
        new("empty outputs list", Base.Replace("outputs: [out.txt]", "outputs: []"), "recipe.yaml:8:", "stages.simulate.outputs is empty"),
        new("list-valued env", Base.Replace("outputs: [out.txt] }", "outputs: [out.txt], env: [a, b] }"), "recipe.yaml:8:", "env should be a mapping"),
        new("300-character name", Base.Replace("recipe: bad", "recipe: " + new string('a', 300)), "recipe.yaml:1:9", "at most 100 lower-case letters"),
        new("name with a trailing newline", Base.Replace("recipe: bad", "recipe: \"bad\\n\""), "recipe.yaml:1:9", "is not valid"),
        new("zero jobs", Base, "error: --jobs must be between 1 and 65536, not 0", "--jobs", Args: ["--jobs", "0"]),
        new("negative jobs", Base, "error: --jobs must be between 1 and 65536, not -1", "--jobs", Args: ["--jobs", "-1"]),
        new("template variable only in a branch sample 0 skips", Base, "base/input.txt.sbn:2:", "template error: variable 'typo_var' is not a parameter of this recipe",
            Files: new() { ["base/input.txt.sbn"] = "a={{ a }}\n{{ if a > 5 }}{{ typo_var }}{{ end }}{{ for i in 1..2 }}{{ i }}{{ end }}{{ b = a }}{{ b | math.round }}\n" }),
        new("sph jitter beyond its bound", "recipe: bad\nparameters: { samples: 2, sampler: random, space: { viscosity: 1.0e-6 } }\nstages:\n  simulate: { solver: sph, jitter: 0.5 }\n",
            "recipe.yaml:4:", "stages.simulate.jitter must be at most 0.4, got 0.5"),
        new("gns evaluator's Sinkhorn subsample too small", "recipe: bad\nparameters: { samples: 4, sampler: random, space: { viscosity: 1.0e-6 } }\nstages:\n  simulate: { solver: sph }\n  dataset: { format: learning-to-simulate }\n  train: { model: gns }\n  evaluate: { evaluator: gns, sinkhorn_particles: 3 }\n",
            "recipe.yaml:7:", "sinkhorn_particles must be at least 16, got 3"),
        new("gns evaluator scoring no trajectory", "recipe: bad\nparameters: { samples: 4, sampler: random, space: { viscosity: 1.0e-6 } }\nstages:\n  simulate: { solver: sph }\n  dataset: { format: learning-to-simulate }\n  train: { model: gns }\n  evaluate: { evaluator: gns, trajectories: 0 }\n",
            "recipe.yaml:7:", "trajectories must be at least 1, got 0"),
        new("cache that is a file", Base, "error: --cache 'base/input.txt.sbn' is a file", "give a directory", Args: ["--cache", "base/input.txt.sbn"]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MalformedRecipeExitsWithTwoAndPointsAtTheProblem(Case bad)
    {
        using var ws = new Workspace();
        ws.Write("base/input.txt.sbn", "a={{ a }}\n");
        foreach (var (path, content) in bad.Files ?? []) ws.Write(path, content);
        ws.Write("recipe.yaml", bad.Recipe);

        var result = Support.Cli.Run(ws.Root, ["build", "recipe.yaml", .. bad.Args ?? []]);

        Assert.Equal(2, result.ExitCode);
        var line = result.Stderr.Split('\n').FirstOrDefault(l => l.StartsWith(bad.Expected, StringComparison.Ordinal));
        Assert.True(line is not null, $"expected a line starting with '{bad.Expected}', got:\n{result.Stderr}");
        Assert.Contains(bad.Message, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(ws.Root, ".recipes")), "an invalid recipe must not touch the cache");
        Assert.False(Directory.Exists(Path.Combine(ws.Root, "out")));
    }

    [Fact]
    public void ValidateReportsEveryErrorAtOnce()
    {
        using var ws = new Workspace();
        ws.Write("base/input.txt.sbn", "a={{ a }}\n");
        ws.Write("recipe.yaml", Base.Replace("{ choice: [1, 2] }", "{ int: [5, 1] }").Replace("solver: exec", "solver: exce").Replace("recipe: bad", "recipe: bad\nseedd: 1"));
        var result = Support.Cli.Run(ws.Root, "validate", "recipe.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("did you mean 'seed'", result.Stderr);
        Assert.Contains("did you mean 'exec'", result.Stderr);
        Assert.Contains("3 errors", result.Stderr);
    }

    [Fact]
    public void ATemplateBeyondTheReadLimitIsOneLineNotAnException()
    {
        using var ws = new Workspace();
        ws.Write("recipe.yaml", Base);
        Directory.CreateDirectory(ws.Path_("base"));
        File.WriteAllBytes(ws.Path_("base/input.txt.sbn"), new byte[(16 << 20) + 1]);
        var result = Support.Cli.Run(ws.Root, "validate", "recipe.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("recipe.yaml:3:8: error: base case template 'input.txt.sbn' cannot be read (is ", result.Stderr);
        Assert.Contains("is read); point base_case.dir at the simulator's input files", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void ValidAcceptsTheQuickstart()
    {
        var quickstart = Path.Combine(RepoRoot(), "recipes", "quickstart", "recipe.yaml");
        var result = Support.Cli.Run(Path.GetTempPath(), "validate", quickstart);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("quickstart: valid (18 samples", result.Stdout);
    }

    [Fact]
    public void ValidateChecksAFragmentAsAFragment()
    {
        var fragment = Path.Combine(RepoRoot(), "recipes", "smoke-diffusion", "smoke.yaml");
        var result = Support.Cli.Run(Path.GetTempPath(), "validate", fragment);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("smoke.yaml: valid fragment", result.Stdout);

        using var ws = new Workspace();
        ws.Write("part.yaml", "stages:\n  simulate: { solver: heat2d, raduis: 0.1 }\n");
        var typo = Support.Cli.Run(ws.Root, "validate", "part.yaml");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("part.yaml:2:31: error: unknown key 'raduis'", typo.Stderr);
    }

    public static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Recipes.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
