using System.IO.Compression;
using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Cache;

/// <summary>CI caches keyed by content: <c>cache key</c>, and <c>cache export</c>/<c>import</c> of exactly one recipe's entries.</summary>
public sealed class CacheBundleTests
{
    [Fact]
    public void ExportThenImportIntoAFreshDirectoryBuildsNothing()
    {
        using var a = new Workspace();
        SampleRecipes.Sweep(a);
        Assert.Equal(0, Support.Cli.Run(a.Root, "build", "recipe.yaml").ExitCode);
        var bundle = Path.Combine(a.Root, "bundle.zip");
        var export = Support.Cli.Run(a.Root, "cache", "export", "recipe.yaml", bundle);
        Assert.Equal(0, export.ExitCode);
        Assert.Contains("exported 13 entries", export.Stdout);

        using var b = new Workspace();
        SampleRecipes.Sweep(b);
        var import = Support.Cli.Run(b.Root, "cache", "import", bundle);
        Assert.Equal(0, import.ExitCode);
        var build = JsonNode.Parse(Support.Cli.Run(b.Root, "build", "recipe.yaml", "--json").LastLine)!;
        Assert.Equal(0, build["executed"]!.GetValue<int>());
        Assert.Equal(13, build["cached"]!.GetValue<int>());
    }

    [Fact]
    public void ATamperedBundleIsRejectedWhole()
    {
        using var a = new Workspace();
        SampleRecipes.Sweep(a);
        Support.Cli.Run(a.Root, "build", "recipe.yaml");
        var bundle = Path.Combine(a.Root, "bundle.zip");
        Support.Cli.Run(a.Root, "cache", "export", "recipe.yaml", bundle);
        using (var zip = ZipFile.Open(bundle, ZipArchiveMode.Update))
        {
            var blob = zip.Entries.First(e => e.FullName.StartsWith("cas/", StringComparison.Ordinal));
            var name = blob.FullName;
            blob.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(name).Open());
            writer.Write("not what the hash says");
        }
        using var b = new Workspace();
        var import = Support.Cli.Run(b.Root, "cache", "import", bundle);
        Assert.Equal(1, import.ExitCode);
        Assert.Contains("does not match its hash", import.Stderr);
        Assert.False(Directory.Exists(Path.Combine(b.Root, ".recipes", "ac")), "nothing may be imported from a bad bundle");
    }

    [Fact]
    public void TheKeyIsStableAcrossDirectoriesAndFollowsWhatMatters()
    {
        using var a = new Workspace();
        using var b = new Workspace();
        SampleRecipes.Sweep(a);
        SampleRecipes.Sweep(b);
        string Key(Workspace ws, params string[] sets) => Support.Cli.Run(ws.Root, ["cache", "key", "recipe.yaml", .. sets.SelectMany(s => new[] { "--set", s })]).Stdout.Trim();
        var key = Key(a);
        Assert.Matches("^[0-9a-f]{32}$", key);
        Assert.Equal(key, Key(b));
        Assert.Equal(key, Key(a, "stages.simulate.materialize=false"));
        Assert.NotEqual(key, Key(a, "parameters.space.a.choice.0=9"));
        b.Write("base/input.txt.sbn", "changed {{ a }}\n");
        Assert.NotEqual(key, Key(b));
    }
}
