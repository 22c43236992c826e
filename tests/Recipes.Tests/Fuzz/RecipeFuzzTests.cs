using CsCheck;
using Recipes.Cli;
using Recipes.Diagnostics;
using Recipes.Plugins.Files;
using Recipes.Recipe;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// docs/security.md, "Bounded parsing", "Bounded expansion" and "Non-finite numbers": a recipe (edited byte by
/// byte), its includes (any graph of them: diamonds, cycles, a file including itself, paths leading outside, a
/// device) and <c>--set</c> values (nasty paths and values) either load or are refused with diagnostics of one clean
/// line each, in bounded time and memory.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class RecipeFuzzTests
{
    internal const string Recipe = """
        recipe: sweep
        seed: 3
        description: a sweep
        base_case:
          dir: base/
          params: { g: 9.81, note: text }
        parameters:
          sampler: grid
          space:
            a: { choice: [1, 2, 3] }
            b: { choice: [x, y] }
        stages:
          simulate:
            solver: exec
            command: 'cat input.txt > out.txt && echo "{\"value\": 1}" > result.json'
            outputs: [out.txt, result.json]
            timeout: 60
            env: { MODE: fast }
          dataset:
            format: csv
        """;

    private static readonly string[] SetPaths =
    [
        "seed", "description", "base_case.params.g", "base_case.params.note", "parameters.samples", "parameters.sampler", "parameters.space.a.choice",
        "parameters.space.a.choice.1", "parameters.space.b.choice", "parameters.space.c.uniform", "stages.simulate.timeout", "stages.simulate.command",
        "stages.simulate.outputs", "stages.simulate.env.MODE", "stages.dataset.format", "include", "recipe", "base_case.dir", "stages", "",
        "a..b", ".", "x.y.z.w.v.u", "parameters.space.a.choice.99999999999",
    ];

    /// <summary>One include file: which others it includes (by index, or a nasty path) and a fragment, maybe edited.</summary>
    public sealed record Include(int[] Includes, string? Path, string Body);

    private static readonly Gen<Include> Includes = Gen.Select(Gen.Int[0, 7].Array[0, 3],
        Gen.Frequency((5, Gen.Const<string?>((string?)null)), (1, Gen.OneOf<string?>("../../outside/victim", "/dev/zero", "/etc/passwd", "missing.yaml", "base", "/proc/self/mem", "recipe.yaml"))),
        Gen.OneOf("x: 1\n", "parameters:\n  samples: 4\n", "stages:\n  dataset:\n    format: npy\n", "base_case:\n  params: { g: .inf }\n", "seed: [1, 2]\n", "recipe: other\n", "&a [*a]\n", "- 1\n", ""),
        (includes, path, body) => new Include(includes, path, body));

    public sealed record Case(ByteMutation[] Edits, string[] Sets, Include[] Includes);

    private static readonly Gen<Case> Cases = Gen.Select(
        Gen.Frequency((2, Gen.Const(Array.Empty<ByteMutation>())), (3, ByteMutation.Many(4))),
        Gen.Select(Gen.Frequency((4, Gen.OneOf(SetPaths)), (1, Nasty.Token)), Gen.Frequency((3, Nasty.Token), (1, Gen.OneOf("[1, .nan]", "{a: 1}", "[]", "1e400", "2", "x"))),
            (path, value) => path + "=" + value).Array[0, 3],
        Gen.Frequency((3, Gen.Const(Array.Empty<Include>())), (2, Includes.Array[1, 8])),
        (edits, sets, includes) => new Case(edits, sets, includes));

    [Fact]
    public void AnyRecipeIncludesAndSetValuesLoadOrAreRefusedInCleanLines()
    {
        using var dir = new FuzzDirectory();
        var loader = new RecipeLoader(RecipeSession.Registry);
        // The seed loads: mutations start from a recipe that binds and dry-runs, not from one the schema already refuses.
        var valid = dir.NewCase();
        Directory.CreateDirectory(Path.Combine(valid, "base"));
        File.WriteAllText(Path.Combine(valid, "base", "input.txt.sbn"), "a={{ a }} b={{ b }}\n");
        File.WriteAllText(Path.Combine(valid, "recipe.yaml"), Recipe);
        Assert.Equal("sweep", loader.Load(Path.Combine(valid, "recipe.yaml")).Name);
        FuzzBudget.Run("recipes", Cases, c =>
        {
            var root = dir.NewCase();
            Directory.CreateDirectory(Path.Combine(root, "base"));
            File.WriteAllText(Path.Combine(root, "base", "input.txt.sbn"), "a={{ a }} b={{ b }}\n");
            var text = Recipe;
            if (c.Includes.Length > 0)
            {
                text = "include: [f0.yaml]\n" + text;
                for (var i = 0; i < c.Includes.Length; i++)
                {
                    var names = c.Includes[i].Includes.Select(k => $"f{k % c.Includes.Length}.yaml").Append(c.Includes[i].Path).OfType<string>().ToList();
                    File.WriteAllText(Path.Combine(root, $"f{i}.yaml"), (names.Count > 0 ? $"include: [{string.Join(", ", names.Select(n => $"'{n}'"))}]\n" : "") + c.Includes[i].Body);
                }
            }
            var path = Path.Combine(root, "recipe.yaml");
            File.WriteAllBytes(path, ByteMutation.ApplyAll(Nasty.Utf8(text), c.Edits));
            try
            {
                var recipe = loader.Load(path, c.Sets);
                foreach (var warning in recipe.Warnings) Contract.OneCleanLine(RecipeSession.Format(warning, ErrorFormat.Text), "recipe warning");
            }
            catch (RecipeException e)
            {
                Assert.NotEmpty(e.Diagnostics);
                foreach (var d in e.Diagnostics)
                {
                    Contract.OneCleanLine(RecipeSession.Format(d, ErrorFormat.Text), "diagnostic");
                    Contract.OneCleanLine(RecipeSession.Format(d, ErrorFormat.MSBuild), "diagnostic (msbuild)");
                }
            }
            catch (RefusedFileException e) { Contract.OneLine(e.Message, "refused recipe"); }
            FuzzDirectory.DeleteQuietly(root);
        }, ciCases: 1500, FuzzSeed.For("recipes"), print: c => $"edits {string.Join(",", c.Edits.Select(m => m.ToString()))}; sets {string.Join(" | ", c.Sets.Select(s => Escaping.TerminalText.Clean(s.Length > 80 ? s[..80] : s)))}; includes {string.Join(" ", c.Includes.Select(i => $"[{string.Join(',', i.Includes)}|{i.Path}|{Escaping.TerminalText.Clean(i.Body)}]"))}");
        dir.AssertOutsideUntouched();
    }
}
