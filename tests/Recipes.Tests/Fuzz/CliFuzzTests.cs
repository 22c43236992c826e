using CsCheck;
using Recipes.Tests.Support;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// docs/security.md, the contract end to end: the built tool, given one fuzzed input (a project file, a recipe edit,
/// a <c>--set</c> or <c>--jobs</c> value, a run reference, a planted run record, a damaged <c>bench.json</c>, a bundle)
/// and one command, exits 0, 1 or 2, prints no stack trace and no raw escape character, and writes nothing outside
/// its workspace. Few cases (each starts a process); the in-process targets carry the volume.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class CliFuzzTests
{
    public sealed record Case(int Input, int Command, string Token, ByteMutation[] Edits);

    private static readonly Gen<Case> Cases = Gen.Select(Gen.Int[0, 7], Gen.Int[0, 9], Nasty.Token.Where(t => t.Length < 2000), ByteMutation.Many(3),
        (input, command, token, edits) => new Case(input, command, token, edits));

    private static readonly string[][] Commands =
    [
        ["validate", "recipe.yaml"], ["status", "recipe.yaml"], ["build", "recipe.yaml"], ["runs"], ["diff", "HEAD~1", "HEAD"],
        ["report", "recipe.yaml"], ["cache", "gc", "--keep-runs", "1"], ["cache", "import", "bundle.zip"],
        ["why", "out/sweep/dataset/shard-0000.csv#1", "--json"], ["export-provenance", "recipe.yaml", "-o", "prov.json"],
    ];

    [Fact]
    // Slow: a tool process per case (13-23 s); the other fuzz targets stay in the quick run, and the full run, CI's, keeps this one.
    [Trait("Category", "Slow")]
    public void TheToolAnswersAnyInputWithADocumentedExitAndCleanOutput()
    {
        using var dir = new FuzzDirectory();
        var template = Directory.CreateDirectory(Path.Combine(dir.Project, "template")).FullName;
        using (var ws = new Workspace())
        {
            SampleRecipes.Sweep(ws);
            Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
            Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--set", "parameters.space.a.choice=[1, 2]").ExitCode);
            Assert.Equal(0, Support.Cli.Run(ws.Root, "cache", "export", "recipe.yaml", "bundle.zip").ExitCode);
            Copy(ws.Root, template);
        }
        FuzzBudget.Run("cli", Cases, c =>
        {
            var root = dir.NewCase();
            Copy(template, root);
            var args = Commands[c.Command].ToList();
            var bytes = (string relative) => ByteMutation.ApplyAll(File.Exists(Path.Combine(root, relative)) ? File.ReadAllBytes(Path.Combine(root, relative)) : Nasty.Utf8(c.Token), c.Edits);
            switch (c.Input)
            {
                case 0: File.WriteAllBytes(Path.Combine(root, ".recipes.json"), ByteMutation.ApplyAll(Nasty.Utf8($"{{\"remote_cache\": {{\"url\": \"{c.Token.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"}}}}"), c.Edits)); break;
                case 1: File.WriteAllBytes(Path.Combine(root, "recipe.yaml"), bytes("recipe.yaml")); break;
                case 2: args.AddRange(["--set", "base_case.params.note=" + c.Token]); if (c.Command is not (0 or 1 or 2 or 5)) args = ["build", "recipe.yaml", "--set", "base_case.params.note=" + c.Token]; break;
                case 3: args = ["build", "recipe.yaml", "--jobs", c.Token]; break;
                // why reads the item, the path and the run records the user hands it: a nasty item or path answers like any bad input.
                case 4: args = c.Command == 8 ? ["why", "out/sweep/dataset/shard-0000.csv#" + c.Token] : c.Command == 9 ? ["why", "out/sweep/" + c.Token] : ["diff", c.Token, "HEAD"]; break;
                case 5:
                    var record = Directory.EnumerateFiles(Path.Combine(root, ".recipes", "runs")).Order(StringComparer.Ordinal).First();
                    File.WriteAllBytes(Path.Combine(root, ".recipes", "runs", "20200101T000000000Z-aaaaaa.json"), ByteMutation.ApplyAll(File.ReadAllBytes(record), c.Edits));
                    break;
                case 6:
                    Directory.CreateDirectory(Path.Combine(root, "out", "sweep", "bench"));
                    File.WriteAllBytes(Path.Combine(root, "out", "sweep", "bench", "bench.json"),
                        ByteMutation.ApplyAll(Nasty.Utf8($"{{\"rows\": [{{\"stage\": \"{c.Token.Replace("\\", "\\\\").Replace("\"", "\\\"")}\", \"seconds\": 1e400}}], \"note\": \"<script>x</script>\"}}"), c.Edits));
                    args = ["report", "recipe.yaml"];
                    break;
                default: File.WriteAllBytes(Path.Combine(root, "bundle.zip"), bytes("bundle.zip")); args = ["cache", "import", "bundle.zip"]; break;
            }
            var result = Support.Cli.Run(root, null, TimeSpan.FromSeconds(60), [.. args]);
            Contract.CliAnswer(result, string.Join(' ', args.Select(a => Escaping.TerminalText.Clean(a))));
            if (File.Exists(Path.Combine(root, "out", "sweep", "report.html")))
                Assert.DoesNotContain("<script>x</script>", File.ReadAllText(Path.Combine(root, "out", "sweep", "report.html")), StringComparison.Ordinal);
            FuzzDirectory.DeleteQuietly(root);
        }, ciCases: 16, FuzzSeed.For("cli"), threads: 1, print: c => $"input {c.Input} command {c.Command} token {Escaping.TerminalText.Clean(c.Token)} edits {string.Join(",", c.Edits.Select(m => m.ToString()))}");
        dir.AssertOutsideUntouched();
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
